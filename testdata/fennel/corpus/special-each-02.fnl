(each [k v (pairs {:a 1 :b 2})]
  (print k v))
