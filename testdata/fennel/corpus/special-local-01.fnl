(local x 10)
(local y (+ x 1))
(print x y)
