(macro once [x]
  `(let [v# ,x
         w# v#]
     (+ v# w#)))
(print (once 1) (once 2))
