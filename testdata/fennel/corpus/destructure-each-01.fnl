(each [_ {: name : age} (ipairs [{:name "a" :age 1} {:name "b" :age 2}])]
  (print name age))
