(macro m []
  (let [f (fn [...] (select :# ...))]
    [(f) (f nil) (f nil nil) (f 1 nil 3 nil) (select 2 :a :b :c)]))
(m)
