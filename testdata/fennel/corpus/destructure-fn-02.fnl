(fn f [[a [b c]] {:d [e]}] (+ a b c e))
