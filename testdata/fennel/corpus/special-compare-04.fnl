(fn f [x] (<= 0 x 10 (f x)))
