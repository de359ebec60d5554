,x
