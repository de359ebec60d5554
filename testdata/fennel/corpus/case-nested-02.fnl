(case [[1 2] [3 [4 5]]]
  [[a b] [c [d e]]] (+ a b c d e))
