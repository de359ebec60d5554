(fn f []
  ;; inside a function
  (comment "a comment form inside")
  1)
