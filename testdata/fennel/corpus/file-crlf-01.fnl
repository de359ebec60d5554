(fn f [x]
  (+ x 1))
(print "a
b")
(f 1)
