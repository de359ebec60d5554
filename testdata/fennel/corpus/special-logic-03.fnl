(fn f [x] (or (and (= x 1) :one) (and (= x 2) :two) :many))
