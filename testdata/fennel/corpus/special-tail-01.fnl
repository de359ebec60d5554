(fn loop [n acc]
  (if (= n 0) acc
      (tail! (loop (- n 1) (+ acc n)))))
