(macro m []
  [(math.floor 3.7) (math.floor -3.7) (math.ceil 3.2) (math.ceil -3.2)
   (math.fmod 7 3) (math.fmod -7 3) (math.abs -2) (math.max 1 5 3) (math.min 4 2 8)
   (math.sqrt 16) (math.pow 2 10) (math.exp 0) (math.log 1) (math.log10 1000)
   (select 2 (math.modf 3.25)) (math.modf -3.25) (% -7 3) (% 7 -3) (% 5.5 2)
   (math.floor (/ 7 2)) (^ 2 0.5) math.pi])
(m)
