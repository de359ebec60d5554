(macro m []
  [(string.gsub "hello world" "o" "0") (select 2 (string.gsub "aaa" "a" "b"))
   (string.gsub "hello world" "(%w+)" "<%1>") (string.gsub "abc" "%w" "%0%0")
   (string.gsub "a,b;c" "[,;]" {"," "COMMA" ";" "SEMI"})
   (string.gsub "x=1 y=2" "(%w+)=(%w+)" "%2=%1")
   (string.gsub "  trim  " "^%s*(.-)%s*$" "%1")
   (string.gsub "abc" "" "-")
   (string.gsub "hello" "l+" (fn [s] (.. "[" s "]")))])
(m)
