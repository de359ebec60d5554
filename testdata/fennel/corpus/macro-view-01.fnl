(macro as-string [form] (view form))
(print (as-string (foo [1 2 {:a "b"}] nil true)))
