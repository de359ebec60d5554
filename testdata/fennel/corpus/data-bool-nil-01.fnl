(print true false nil (= nil false) (not nil))
