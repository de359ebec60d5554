(print (< 1 (math.random) 2))
