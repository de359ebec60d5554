(local end 1)
(local nil? 2)
(local then* 3)
(print end nil? then*)
