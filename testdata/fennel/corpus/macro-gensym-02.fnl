(macro with-temp [& body]
  (let [tmp (gensym :tmp)]
    `(let [,tmp {}] (table.insert ,tmp 1) ,tmp)))
(with-temp)
(with-temp)
