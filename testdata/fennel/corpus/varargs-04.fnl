(fn f [...]
  (let [t [...]
        n (select :# ...)]
    (values t n ...)))
