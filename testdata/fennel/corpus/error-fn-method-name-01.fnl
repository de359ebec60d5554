(fn obj:describe [] (.. "n=" self.n))
