(macro defrecord [name & fields]
  (let [ctor (sym (.. "make-" (tostring name)))
        args (icollect [_ f (ipairs fields)] f)]
    `(fn ,ctor ,args
       ,(collect [_ f (ipairs fields)] (values (tostring f) f)))))
(defrecord point x y)
(make-point 1 2)
