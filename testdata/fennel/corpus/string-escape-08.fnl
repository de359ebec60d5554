(print "continued \
  line")
