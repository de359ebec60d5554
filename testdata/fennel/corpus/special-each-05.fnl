(each [_ [x y] (ipairs [[1 2] [3 4]])]
  (print (+ x y)))
