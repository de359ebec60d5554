(local t (doto [] (table.insert 1) (table.insert 2) (table.sort)))
(doto (io.open "/dev/null") (: :write "x") (: :close))
