(var i 0)
(while (< i 10)
  (set i (+ i 1)))
i
