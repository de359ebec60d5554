(fn sign [n]
  (if (< n 0) -1
      (> n 0) 1
      0))
