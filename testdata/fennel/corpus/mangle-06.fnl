(local _ 1)
(local __ 2)
(local _G* 3)
(print _ __ _G*)
