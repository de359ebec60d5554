(print 1
