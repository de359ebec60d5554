(lua "local x = 1")
(print (lua "x + 1"))
