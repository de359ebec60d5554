(local str "a,b,c")
(each [part (str:gmatch "[^,]+")]
  (print (part:upper) (: part :byte)))
(print (: (: "x" :rep 3) :upper))
