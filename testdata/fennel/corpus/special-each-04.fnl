(each [line (string.gmatch "a\nb\nc" "[^\n]+")]
  (print line))
