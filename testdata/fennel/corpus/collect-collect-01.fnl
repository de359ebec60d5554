(collect [k v (pairs {:a 1 :b 2})]
  (values v k))
