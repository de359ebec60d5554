(macro my-cond [& clauses]
  (if (= 0 (length clauses)) nil
      (let [[c body & rest] clauses]
        `(if ,c ,body (my-cond ,(unpack rest))))))
(fn f [x] (my-cond (= x 1) :one (= x 2) :two true :many))
