(macro m []
  [(string.format "%g %g %g %g" 0.1 1e15 1e-5 123456789)
   (string.format "%e %E" 12345.678 0.000123)
   (string.format "%.3g|%.10g|%G" 1234567 (/ 1 3) 1e-20)
   (string.format "%f %.2f %10.3f|%-10.1f|" 3.14159 2.5 1.0005 -2.25)])
(m)
