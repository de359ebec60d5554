(macro kind [x]
  (if (list? x) :list
      (sequence? x) :sequence
      (table? x) :table
      (sym? x) :sym
      (varg? x) :varg
      (type x)))
(print (kind (a)) (kind [1]) (kind {:a 1}) (kind s) (kind 1) (kind "s"))
