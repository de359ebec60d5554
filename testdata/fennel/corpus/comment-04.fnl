(print 1)
; comment with no trailing newline