(macro m []
  (let [keys (icollect [k (pairs {:a 1 :b 2 :c 3 :d 4 :e 5})] k)]
    (table.sort keys)
    keys))
(m)
