(print "no-break space and thin space and zero​width")
