(each [_ v (ipairs [1 2 3 4 5]) &until (> v 3)]
  (print v))
