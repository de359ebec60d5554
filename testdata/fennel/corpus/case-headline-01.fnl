(case [1 2] [a b] (+ a b) _ 0)
