(fn gen [n]
  (coroutine.wrap (fn [] (for [i 1 n] (coroutine.yield i)))))
(each [v (gen 3)] (print v))
