(macros {:with-logging (fn [name ...]
                       `(do (print ,(.. "enter " (tostring name)))
                            (let [result# (do ,...)]
                              (print ,(.. "leave " (tostring name)))
                              result#)))})
(with-logging step (+ 1 2))
