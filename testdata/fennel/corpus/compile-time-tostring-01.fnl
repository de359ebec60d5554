(macro m []
  [(tostring 1e15) (tostring 1e16) (tostring -0.0) (tostring (/ 1 0))
   (tostring (/ -1 0)) (tostring 0.1) (tostring 1e100) (tostring 123456789012)
   (tostring (^ 2 53)) (tostring 1e-5) (tostring 3.14159265358979)
   (tostring (/ 1 3)) (tostring 100) (tostring -7) (tostring 5e-324)
   (tostring true) (tostring nil)])
(m)
