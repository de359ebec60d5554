(print "tab:\t newline:\n return:\r")
