(with-open [a (io.open "/dev/null")
            b (io.open "/dev/null")]
  (print a b)
  (values 1 2))
