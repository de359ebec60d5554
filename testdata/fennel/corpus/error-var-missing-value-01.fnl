(var x)
