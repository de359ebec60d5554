(local mk #{:a $1 :b [$2 $1]})
(mk 1 2)
