(fn ignore [_ _ c] c)
(fn opt [?a ?b] (or ?a ?b 0))
(ignore 1 2 3)
