(table.sort [3 1 2] #(> $1 $2))
(local f (hashfn (.. $1 $2)))
