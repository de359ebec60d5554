(->> [1 2 3] (table.concat) (.. "list:") (print))
