(local add3 (partial (fn [a b c] (+ a b c)) 1 2))
(add3 3)
