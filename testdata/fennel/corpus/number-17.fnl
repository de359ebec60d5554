(print 1e1000 -1e1000)
