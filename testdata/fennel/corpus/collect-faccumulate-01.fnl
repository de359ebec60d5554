(faccumulate [n 0 i 1 10] (+ n i))
