(macro m []
  (let [t [5 3 8 1]]
    (table.sort t)
    (table.insert t 1 0)
    (table.insert t 9)
    (table.remove t 2)
    [(table.concat t ",") (table.concat [1 2 3] ", " 2 3) (select :# (unpack [1 2 3]))
     (select -1 :a :b :c) (table.concat (doto [:b :a :c] (table.sort #(> $1 $2))) "")
     (type (next {})) (table.maxn [1 2 3])]))
(m)
