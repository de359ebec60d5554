(local arr [10 20 30])
(print (. arr 1) (. arr (+ 1 1)))
