(case [1 2 3 4]
  [x & rest] (length rest))
