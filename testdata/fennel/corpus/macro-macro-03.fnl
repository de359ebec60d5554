(macro unless-zero [x & body]
  `(when (not= 0 ,x) ,(unpack body)))
(unless-zero 5 (print :nonzero))
