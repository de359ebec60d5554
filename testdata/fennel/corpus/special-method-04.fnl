(local m :upper)
(print (: "abc" m))
