(macro m []
  (fn show [x] (if (= x nil) :nil x))
  [(show (tonumber "1e2")) (show (tonumber "1e15")) (show (tonumber "-0x10"))
   (show (tonumber "0x10")) (show (tonumber "0XfF")) (show (tonumber " 10 "))
   (show (tonumber "10" 16)) (show (tonumber "zz" 36)) (show (tonumber "777" 8))
   (show (tonumber "123456789012345678901234567890")) (show (tonumber ".5"))
   (show (tonumber "5.")) (show (tonumber "-.5e-3")) (show (tonumber "1e+2"))])
(m)
