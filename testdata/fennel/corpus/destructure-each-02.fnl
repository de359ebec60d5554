(each [_ [x & more &as whole] (ipairs [[1 2 3]])]
  (print x (length more) (length whole)))
