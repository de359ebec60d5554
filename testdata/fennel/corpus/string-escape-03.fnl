(print "nul:\0 esc:\27 del:\127")
