(case [1 [2 3] {:k 4}]
  [a [b c] {: k}] (+ a b c k))
