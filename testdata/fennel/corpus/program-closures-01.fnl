(fn adder [n] (fn [x] (+ x n)))
(local fns (icollect [_ n (ipairs [1 2 3])] (adder n)))
(icollect [_ f (ipairs fns)] (f 10))
