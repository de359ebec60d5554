(local words (icollect [w (string.gmatch "the quick fox" "%a+")] w))
(print (table.concat words ","))
