(fn greet [name]
  "Return a greeting for NAME."
  (.. "hello, " name))
(greet "world")
