(eval-compiler
  (tset macro-loaded :corpus.import-macros-02
        {:inc (fn [x] `(+ ,x 1))}))
(import-macros m :corpus.import-macros-02)
(m.inc 41)
