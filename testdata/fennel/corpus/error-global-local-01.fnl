(local x 1)
(global x 2)
