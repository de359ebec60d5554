(local x (if (= 1 1) :yes :no))
(if x (print x))
