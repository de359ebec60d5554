(case [1 2 3]
  [a & rest &as all] (values a (length rest) (length all)))
