(macro m [] [(/ 0 0) (- (/ 0 0)) (/ 1 0) (/ -1 0) (* -1 0) (- 0) 0x7fffffff (+ 0x7fffffff 1)])
(m)
