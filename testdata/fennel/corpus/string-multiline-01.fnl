(local doc "line one
line two
	tabbed line three")
(print doc)
