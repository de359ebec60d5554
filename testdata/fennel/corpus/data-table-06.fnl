[nil nil 3]
