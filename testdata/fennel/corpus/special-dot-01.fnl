(local t {:a {:b {:c 1}}})
(print (. t :a :b :c) t.a.b.c (. t "a"))
