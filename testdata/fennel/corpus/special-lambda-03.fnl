(local check (lambda [x y z] (values x y z)))
(check 1 2 3)
