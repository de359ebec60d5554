(print 2^53)
