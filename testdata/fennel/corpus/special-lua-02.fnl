(fn f [t] (lua "return t[1]"))
(lua "--[[ raw ]] do end")
