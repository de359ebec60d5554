(macro m [] [(tostring (/ 1 0)) (tostring (- 0))])
(m)
