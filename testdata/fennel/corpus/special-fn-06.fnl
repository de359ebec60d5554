(fn make-counter []
  (var n 0)
  (fn [] (set n (+ n 1)) n))
(let [c (make-counter)]
  (c) (c) (c))
