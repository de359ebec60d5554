(case (values 1 2 3)
  (1 b c) (+ b c)
  (a nil) a
  _ :none)
