(local x 1)
(set-forcibly! x 2)
x
