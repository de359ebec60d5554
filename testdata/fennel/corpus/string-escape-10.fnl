(local esc "\27[1;31mred\27[0m")
(print esc)
