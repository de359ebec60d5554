(print (string.format "%q" "a\nb") (string.format "%5.2f|%-5d|%s" 3.14159 42 :x))
