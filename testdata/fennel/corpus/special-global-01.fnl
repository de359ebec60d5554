(global counter 0)
(global increment (fn [] (set counter (+ counter 1))))
(increment)
