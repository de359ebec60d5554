(local t {:a {:b 1}})
(set t.a.b 2)
(set t.c 3)
(set (. t :d) 4)
t
