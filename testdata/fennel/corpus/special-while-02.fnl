(var (a b) (values 0 1))
(while (< b 100)
  (set (a b) (values b (+ a b))))
b
