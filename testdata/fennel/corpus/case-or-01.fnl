(fn weekend? [d]
  (case d
    (where (or :sat :sun)) true
    _ false))
