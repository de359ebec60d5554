(macro m []
  [(string.format "%5d|%-5d|%+d|%05d|% d" 42 42 42 42 42)
   (string.format "%x|%X|%o|%#x|%#o" 255 255 8 255 8)
   (string.format "%c%c%c" 76 117 97)
   (string.format "%s|%10s|%-10s|%.2s" "abc" "abc" "abc" "abc")
   (string.format "%d %i" 3 -4)
   (string.format "%%|%s" (.. "x" "y"))])
(m)
