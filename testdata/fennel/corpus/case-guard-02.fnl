(fn f [p]
  (case p
    (where [x y] (= x y) (> x 0)) :diagonal
    (where (or [0 _] [_ 0])) :axis
    [x y] (+ x y)))
