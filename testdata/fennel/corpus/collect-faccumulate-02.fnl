(faccumulate [acc 1 i 10 1 -1 &until (> acc 1000)] (* acc i))
