(fn f [a b] [(// a b) (% a b) (^ a b)])
(f 7 2)
