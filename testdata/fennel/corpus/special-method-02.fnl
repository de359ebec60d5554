(local obj {:n 1})
(fn obj.inc [self by] (set self.n (+ self.n by)) self)
(obj:inc 2)
(: obj :inc 3)
