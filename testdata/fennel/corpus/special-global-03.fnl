(global (first second) (values 1 2))
(print first second)
