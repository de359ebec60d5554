(macro my-when [cond ...]
  `(if ,cond (do ,...)))
(my-when true (print 1) (print 2))
