(macro needs-num [x]
  (assert-compile (= (type x) :number) "expected a number literal" x)
  x)
(needs-num 5)
