(local grid [[0 0] [0 0]])
(tset grid 2 1 5)
(tset grid (+ 0 1) 2 6)
