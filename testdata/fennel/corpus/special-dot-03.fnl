(local t {"key with spaces" 1 :end 2 "1abc" 3})
(print (. t "key with spaces") t.end (. t :1abc))
