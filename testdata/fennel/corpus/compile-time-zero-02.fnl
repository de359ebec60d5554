(macro m [] [(tostring (- 0)) (tostring (/ 1 0))])
(m)
