(macros {:my-assert (fn [c msg]
                     `(when (not ,c) (error ,(or msg "assertion failed"))))})
(my-assert (= 1 1))
(my-assert (= 1 1) "custom")
