(local p (partial print :prefix))
(p 1 2 3)
(local q (partial string.format "%s-%s"))
