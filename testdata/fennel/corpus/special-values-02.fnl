(fn f [] (values))
(fn g [] (values 1 (f) 3))
