(let [{"spaced key" v :ok? ok} {"spaced key" 1 :ok? true}]
  (print v ok))
