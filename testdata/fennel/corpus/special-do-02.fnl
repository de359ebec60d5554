(local x (do (local y 2) (* y y)))
(do)
x
