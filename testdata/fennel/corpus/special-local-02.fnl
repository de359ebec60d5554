(local (ok val) (pcall tostring 5))
(local {: insert : concat} table)
(insert [] ok)
(concat [val])
