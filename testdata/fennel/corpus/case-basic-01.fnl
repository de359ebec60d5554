(fn describe [x]
  (case x
    1 :one
    2 :two
    :three 3
    nil :nothing
    _ :other))
