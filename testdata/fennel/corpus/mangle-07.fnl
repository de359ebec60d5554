(global t {})
(set t.kebab-key 1)
(print t.kebab-key (. t :kebab-key))
