(local s "hello")
(print (s:upper) (: s :sub 1 3) (: "x" :rep 3))
