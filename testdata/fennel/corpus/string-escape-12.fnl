(print "ends with backslash\\" "\\n is not a newline")
