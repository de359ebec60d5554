(let [{:a a :b {:c c}} {:a 1 :b {:c 2}}]
  (+ a c))
