(print "\300")
