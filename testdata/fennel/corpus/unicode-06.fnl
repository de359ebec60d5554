(global grüße "hallo")
(print grüße)
