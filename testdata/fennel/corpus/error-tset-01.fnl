(tset t)
