(fn f [a b]
  [(< a b) (<= a b) (> a b) (>= a b) (= a b) (not= a b) (~= a b)])
