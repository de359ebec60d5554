(local x 1)
(let [x 2] (let [x 3] (print x)) (print x))
(do (local x 4) (print x))
x
