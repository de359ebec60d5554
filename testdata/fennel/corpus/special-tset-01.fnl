(local t {})
(tset t :a 1)
(tset t :b :c 2)
t
