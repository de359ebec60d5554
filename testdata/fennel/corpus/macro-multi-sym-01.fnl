(macro first-part [s] (tostring (. (multi-sym? s) 1)))
(print (first-part a.b.c))
