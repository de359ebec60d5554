(fn sum [...]
  (var total 0)
  (each [_ v (ipairs [...])]
    (set total (+ total v)))
  total)
