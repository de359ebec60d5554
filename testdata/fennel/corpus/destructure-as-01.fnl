(let [[a b &as all] [1 2 3]]
  (print a b (length all)))
