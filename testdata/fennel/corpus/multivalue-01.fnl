(fn mv [] (values 1 2 3))
(local t [(mv)])
(local u [(mv) (mv)])
(print (mv) (mv))
