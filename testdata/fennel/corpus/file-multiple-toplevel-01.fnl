(print 1)
(print 2)
(local x 3)
(print x)
x
