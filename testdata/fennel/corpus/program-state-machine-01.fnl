(fn step [state input]
  (match [state input]
    [:idle :start] :running
    [:running :pause] :paused
    [:paused :resume] :running
    (where [_ :stop] (not= state :idle)) :idle
    _ state))
(accumulate [st :idle _ in (ipairs [:start :pause :resume :stop])]
  (step st in))
