(fn sum-pair [x]
  (case x
    [a b] (+ a b)
    _ 0))
