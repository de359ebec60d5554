(macro m []
  [(string.format "%g|%g|%f" (/ 1 0) (/ -1 0) (/ 1 0))
   (string.format "%.0f|%.0f|%.0f" 0.5 1.5 2.5)
   (string.format "%.14g|%.17g" 0.1 0.1)
   (string.format "%s" 1e15)
   (string.format "%s %s" 0.1 -0.0)])
(m)
