(macro defn [name args ...]
  (assert-compile (sym? name) "expected symbol" name)
  `(fn ,name ,args ,...))
(defn add3 [a b c] (+ a b c))
