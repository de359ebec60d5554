(fn)
