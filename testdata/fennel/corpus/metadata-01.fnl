(fn with-meta [a b]
  {:fnl/docstring "docs via metadata" :fnl/arglist [a b] :deprecated "1.0"}
  (+ a b))
