(let [{:x x &as point} {:x 1 :y 2}]
  (print x point.y))
