(let [x] x)
