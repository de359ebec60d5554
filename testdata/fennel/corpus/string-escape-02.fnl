(print "bell:\a backspace:\b formfeed:\f vtab:\v")
