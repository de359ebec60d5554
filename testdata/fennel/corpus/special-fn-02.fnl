(local f (fn [x] (* x x)))
(print (f 4))
