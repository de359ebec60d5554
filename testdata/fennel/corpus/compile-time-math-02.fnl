(macro m []
  [(= math.huge (/ 1 0)) (< 1e308 math.huge) (tostring (* math.huge 0))
   (math.frexp 8) (math.ldexp 1 4) (math.deg math.pi) (math.rad 180)])
(m)
