(macro needs-sym [x] (assert-compile (sym? x) "expected a symbol" x) x)
(needs-sym 5)
