(macro m []
  [(string.rep "ab" 3) (string.rep "x" 0) (string.sub "hello" 2 -2)
   (string.sub "hello" -3) (string.sub "hello" 10) (string.sub "hello" 0)
   (string.upper "abcé") (string.lower "ABC") (string.len "héllo")
   (string.reverse "abc") (string.char 72 105) (string.byte "A")
   (select :# (string.byte "abc" 1 -1)) (string.byte "abc" -1)])
(m)
