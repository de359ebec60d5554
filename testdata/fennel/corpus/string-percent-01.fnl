(print "100% sure" "%s %d %q" "%%")
