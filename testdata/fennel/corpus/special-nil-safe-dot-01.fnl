(local t {:a {:b nil}})
(print (?. t :a :b :c) (?. t :x))
