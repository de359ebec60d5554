(var x 1)
(set x (+ x 1))
(set x (* x 2))
x
