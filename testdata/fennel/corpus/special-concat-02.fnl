(fn join [a b] (.. a ", " b))
(print (..) (.. "x"))
