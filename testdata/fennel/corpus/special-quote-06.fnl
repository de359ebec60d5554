(macro quoted-sym [] `(quote sym))
(macro quoted-data [] (view `(a b [c] {:d e})))
(quoted-data)
