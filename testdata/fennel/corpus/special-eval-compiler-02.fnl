(eval-compiler
  (tset macro-loaded :corpus.eval-compiler-02
        {:twice (fn [x] `(* 2 ,x))}))
(import-macros {: twice} :corpus.eval-compiler-02)
(twice 21)
