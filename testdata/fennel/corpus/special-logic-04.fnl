(local t {})
(local v (and t.a (t.a.b)))
(local w (or (?. t :x :y) (not t.z)))
[v w]
