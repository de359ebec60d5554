(fn lookup [k t] (-?>> t (. k) (string.format "%s!")))
