(fn lookup [t] (-?> t (. :a) (. :b) (tostring)))
