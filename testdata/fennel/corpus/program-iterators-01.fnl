(fn range [from to step]
  (let [step (or step 1)]
    (var i (- from step))
    (fn [] (set i (+ i step)) (when (<= i to) i))))
(each [i (range 1 10 3)] (print i))
(icollect [i (range 0 4)] (* i i))
