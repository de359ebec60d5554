(print "raw newline:
and carriage return:. done")
