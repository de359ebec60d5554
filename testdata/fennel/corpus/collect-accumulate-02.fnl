(accumulate [(lo hi) (values math.huge (- math.huge))
             _ v (ipairs [3 1 4 1 5])]
  (values (math.min lo v) (math.max hi v)))
