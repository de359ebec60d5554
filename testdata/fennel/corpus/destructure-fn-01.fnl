(fn dist [{: x : y} {:x x2 :y y2}]
  (math.sqrt (+ (^ (- x2 x) 2) (^ (- y2 y) 2))))
