(macro m [x] x)
(m)
(local m 1)
