(let [(a b c) (values 1 2 3)]
  (print a b c))
