(print "decimal escapes: \65\066\0671 \1\01\001 \255 \200")
