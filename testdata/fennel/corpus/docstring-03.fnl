(macro documented-macro [x]
  "A macro's docstring."
  x)
(documented-macro 1)
