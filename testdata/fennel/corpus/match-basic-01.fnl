(local x 1)
(fn same-as-x [y]
  (match y
    x :same
    _ :different))
