(collect [k v (pairs {:a 1}) &into {:z 26}] k v)
