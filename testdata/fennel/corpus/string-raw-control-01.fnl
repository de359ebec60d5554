(print "raw tab:	 raw bell: raw esc: raw del:")
