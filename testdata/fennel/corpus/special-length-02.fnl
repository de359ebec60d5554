(fn last [t] (. t (length t)))
