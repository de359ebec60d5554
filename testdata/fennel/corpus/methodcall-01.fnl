(local Stack {})
(set Stack.__index Stack)
(fn Stack.new [] (setmetatable {:items []} Stack))
(fn Stack.push [self x] (table.insert self.items x) self)
(fn Stack.pop [self] (table.remove self.items))
(let [st (Stack.new)]
  (: (st:push 1) :push 2)
  (st:pop))
