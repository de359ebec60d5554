(collect [_ pair (ipairs [[:x 1] [:y 2]])]
  (let [[k v] pair] (values k (* 10 v))))
