(eval-compiler
  (tset macro-loaded :corpus.import-macros-01
        {:unless* (fn [c ...] `(if (not ,c) (do ,...)))
         :square (fn [x] `(let [v# ,x] (* v# v#)))}))
(import-macros {: unless* : square} :corpus.import-macros-01)
(unless* false (print (square 5)))
