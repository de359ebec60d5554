(macro with-list [] (list (sym :print) 1 2))
(with-list)
