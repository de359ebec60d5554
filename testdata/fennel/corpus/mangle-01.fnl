(global kebab-case-name 1)
(global question? 2)
(global bang! 3)
(print kebab-case-name question? bang!)
