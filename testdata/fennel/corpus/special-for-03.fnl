(for [i 1 100 &until (> (* i i) 50)]
  (print i))
