(local t {1e15 :a 0.5 :b -1 :c})
(print (. t 1e15))
