(let [{: x : y} {:x 1 :y 2}
      sum (+ x y)]
  (when (> sum 2) sum))
