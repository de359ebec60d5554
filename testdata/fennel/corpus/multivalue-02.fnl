(fn f [] (values :a :b))
(local (x y z) (values (f) :c))
[x y z]
