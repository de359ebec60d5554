(eval-compiler
  (tset macro-loaded :corpus.require-macros-01
        {:dbl (fn [x] `(+ ,x ,x))}))
(require-macros :corpus.require-macros-01)
(dbl 4)
