(macro tbl [] `{:a 1 :b [2 3]})
(tbl)
