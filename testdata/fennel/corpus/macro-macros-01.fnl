(macros {:double (fn [x] `(* 2 ,x))
         :triple (fn [x] `(* 3 ,x))})
(print (double 2) (triple 3))
