(fn handle [msg]
  (case msg
    {:type :click : x : y} (print "click" x y)
    {:type :key :key k} (print "key" k)
    {:type t} (print "unknown" t)))
