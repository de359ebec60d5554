(fn documented [x]
  "Multi-line docstring.
Second line with \"quotes\" and a tab:	."
  x)
