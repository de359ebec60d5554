(var ok false)
(var n 0)
(fn check [t]
  (set ok (and t.flag (not ok)))
  (set n (or (?. t :count) n))
  (set ok (and (check2 t) ok))
  [ok n])
(fn check2 [t] (not t))
