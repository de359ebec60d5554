(icollect [_ v (ipairs [1 2 3 4])]
  (when (= 0 (% v 2)) (* v v)))
