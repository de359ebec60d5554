(each [i v (ipairs [:a :b :c])]
  (print i v))
