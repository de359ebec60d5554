(fn outer [x]
  (fn inner [y] (+ x y))
  (inner 10))
