(for [i 10 1 -2]
  (print i))
