(lambda add [a b] (+ a b))
