(print "unterminated
