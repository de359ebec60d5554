(accumulate [sum 0 _ v (ipairs [1 2 3 4])]
  (+ sum v))
