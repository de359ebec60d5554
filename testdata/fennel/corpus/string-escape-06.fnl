(print "quote:\" backslash:\\ single:\' ")
