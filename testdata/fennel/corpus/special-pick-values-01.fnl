(fn three [] (values 1 2 3))
(print (pick-values 2 (three)))
(print (pick-values 0 (three)))
