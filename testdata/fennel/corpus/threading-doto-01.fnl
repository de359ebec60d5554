(doto {}
  (tset :a 1)
  (tset :b 2))
