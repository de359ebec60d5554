(λ documented-lambda [x]
  "A lambda's docstring."
  x)
