(fn wrap [f ...]
  (let [args (table.pack ...)]
    (f (table.unpack args 1 args.n))))
(local n (select :# ...))
