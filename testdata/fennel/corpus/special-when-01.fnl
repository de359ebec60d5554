(fn f [x]
  (when (> x 10)
    (print "big")
    (* x 2)))
