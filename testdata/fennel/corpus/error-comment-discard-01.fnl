(print #_(ignored form) 2)
