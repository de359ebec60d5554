(let [(ok [first second]) (pcall (fn [] [1 2]))]
  (print ok first second))
