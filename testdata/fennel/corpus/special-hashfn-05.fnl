(print #(#$))
