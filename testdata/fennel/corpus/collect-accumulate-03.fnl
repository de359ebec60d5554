(accumulate [s "" k _ (pairs {:a 1}) &until (> (# s) 10)]
  (.. s k))
