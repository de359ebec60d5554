; Fennel 1.5.3 has no `unless`; this compiles to a call of a global.
(unless (= 1 2) (print "differs"))
