(macro my-or [a b]
  `(let [x# ,a] (if x# x# ,b)))
(local x 5)
(my-or x (my-or nil x))
