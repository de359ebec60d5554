(fn split [s sep]
  (icollect [piece (string.gmatch s (.. "([^" sep "]+)"))] piece))
(fn trim [s] (s:match "^%s*(.-)%s*$"))
(fn starts-with? [s prefix] (= (s:sub 1 (# prefix)) prefix))
(print (table.concat (split "a,b,,c" ",") "|") (trim "  x  ") (starts-with? "hello" "he"))
