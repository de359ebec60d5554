(fn class [parent]
  (let [c {}]
    (set c.__index c)
    (when parent (setmetatable c {:__index parent}))
    (fn c.new [...]
      (let [o (setmetatable {} c)]
        (when o.init (o:init ...))
        o))
    c))
(local Animal (class))
(fn Animal.init [self name] (set self.name name))
(fn Animal.speak [self] (.. self.name " makes a sound"))
(local Dog (class Animal))
(fn Dog.speak [self] (.. self.name " barks"))
(: (Dog.new "rex") :speak)
