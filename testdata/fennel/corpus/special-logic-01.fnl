(fn f [a b c] (and a b c))
(fn g [a b c] (or a b c))
(fn h [a] (not a))
