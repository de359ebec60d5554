(match-try (values true 1)
  (true x) (values true (+ x 1))
  (true y) y)
