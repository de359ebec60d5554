(comment this is a comment form (with nested) "strings")
(print 1)
