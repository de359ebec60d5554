(global my-global-name 1)
(global another? true)
(global *earmuffs* "x")
(print my-global-name another? *earmuffs*)
