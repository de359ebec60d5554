(fn memoize [f]
  (let [cache {}]
    (fn [x]
      (case (. cache x)
        nil (let [v (f x)] (tset cache x v) v)
        v v))))
(local fib (memoize (fn fib [n] (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))))
(fib 30)
