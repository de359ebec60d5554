(fn g [] (values 1 nil 3))
(let [(a b c) (g)] (print a b c))
(print (select :# (g)))
