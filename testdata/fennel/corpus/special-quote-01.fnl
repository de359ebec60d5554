(macro q [] `(print :quoted))
(q)
