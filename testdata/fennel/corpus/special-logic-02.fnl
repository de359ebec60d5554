(print (and) (or) (and 1) (or false))
