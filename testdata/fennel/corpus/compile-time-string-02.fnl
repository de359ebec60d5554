(macro m []
  [(string.upper "\255abc\195") (string.lower "\255ABC\195\137")
   (string.lower "\226\132\170") (string.upper "\199\134")])
(m)
