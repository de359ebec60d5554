(macro scoped? [name]
  (if (in-scope? name) `:local `:global))
(local here 1)
(print (scoped? here) (scoped? there))
