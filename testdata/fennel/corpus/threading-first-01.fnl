(-> 5 (+ 1) (* 2) (tostring))
