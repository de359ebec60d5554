(case-try [1 2]
  [a b] [(+ a b) b]
  [c _] (* c 2))
