(local local 3)
(print local)
