(var (a b) (values 1 2))
(set (a b) (values b a))
[a b]
