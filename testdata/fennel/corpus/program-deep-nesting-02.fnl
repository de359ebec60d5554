(let [a 1]
  (let [b (fn [] (let [c (fn [] (let [d (fn [] (let [e a] e))] (d)))] (c)))]
    (when a (when b (if (b) (do (do (do (b)))))))))
