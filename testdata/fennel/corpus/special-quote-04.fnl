(macro spread [xs] `(+ ,(unpack xs)))
(spread [1 2 3])
