(local people [{:name "b" :age 30} {:name "a" :age 25} {:name "c" :age 30}])
(table.sort people (fn [x y] (if (= x.age y.age) (< x.name y.name) (< x.age y.age))))
(icollect [_ p (ipairs people)] p.name)
