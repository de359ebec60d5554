(macro show [x] `(print ,(tostring x) ,x))
(show (+ 1 2))
