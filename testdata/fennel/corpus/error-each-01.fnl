(each [x] x)
