(fn classify [n]
  (case n
    (where x (< x 0)) :negative
    (where 0) :zero
    (where x (= 0 (% x 2))) :even
    _ :odd))
