(match [5 10]
  (where [a b] (< a b)) :ascending
  (where [a b] (> a b)) :descending
  _ :equal)
