(local obj {:inner {:greet (fn [self] self.name) :name "in"}})
(obj.inner:greet)
