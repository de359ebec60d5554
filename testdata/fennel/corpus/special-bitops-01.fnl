(print (band 12 10) (bor 12 10) (bxor 12 10) (bnot 0) (lshift 1 8) (rshift 256 4))
