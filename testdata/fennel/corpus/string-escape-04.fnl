(print "hex is not an escape in 5.1: \x1b \x41")
