(macro m []
  (let [(ok err) (pcall error "msg" 0)
        (ok2 err2) (pcall error {:t 1})]
    [ok err ok2 (type err2)]))
(m)
