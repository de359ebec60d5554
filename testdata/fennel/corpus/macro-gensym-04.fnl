(macro nested-gensyms []
  `(let [a# 1]
     (let [a# (+ a# 1) b# a#]
       [a# b#])))
(nested-gensyms)
