(fn same? [a b]
  (case [a b]
    [x x] true
    _ false))
