(local Queue {})
(set Queue.__index Queue)
(fn Queue.new [] (setmetatable {:first 1 :last 0 :items {}} Queue))
(fn Queue.push [self v]
  (set self.last (+ self.last 1))
  (tset self.items self.last v))
(fn Queue.pop [self]
  (when (<= self.first self.last)
    (let [v (. self.items self.first)]
      (tset self.items self.first nil)
      (set self.first (+ self.first 1))
      v)))
(fn Queue.empty? [self] (> self.first self.last))
Queue
