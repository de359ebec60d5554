(case [1 2 3]
  [a b &as all] (values a b (length all)))
