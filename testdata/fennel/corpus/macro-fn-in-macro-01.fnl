(macro defhandler [name]
  `(fn ,(sym (.. "handle-" (tostring name))) [event#] (print ,(tostring name) event#)))
(defhandler click)
(defhandler key-press)
