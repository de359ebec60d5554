(macro m []
  (fn show [x] (if (= x nil) :nil x))
  [(show (tonumber "1e")) (show (tonumber "")) (show (tonumber "0x"))
   (show (tonumber "1 2")) (show (tonumber "abc")) (show (tonumber "1_000"))
   (show (tonumber "inf")) (show (tonumber "nan")) (show (tonumber "infinity"))
   (show (tonumber "\t5\n")) (show (tonumber "5x")) (show (tonumber "0x1p4"))
   (show (tonumber "8" 8)) (show (tonumber "ff" 10))])
(m)
