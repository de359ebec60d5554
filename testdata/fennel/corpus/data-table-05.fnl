{"with space" 1 "with\nnewline" 2 "" 3 :end 4 :nil 5 :function 6}
