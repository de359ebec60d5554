(print "\256 and \999")
