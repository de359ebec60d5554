(var [a b] [1 2])
(set a (+ a b))
(var {:c c} {:c 3})
(set c (* c 2))
