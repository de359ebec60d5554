(macro expand-twice [form]
  (let [e (macroexpand form)] `(do ,e ,e)))
(macro inc1 [x] `(+ ,x 1))
(expand-twice (inc1 2))
