(print (if false 1))
(print (if nil 1 false 2 3))
