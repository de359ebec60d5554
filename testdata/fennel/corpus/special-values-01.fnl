(fn two [] (values 1 2))
(local (a b) (two))
(print a b (two))
