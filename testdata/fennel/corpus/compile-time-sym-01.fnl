(macro m []
  `(let [,(sym :with-dash) 1 ,(sym "q?") 2] (+ ,(sym :with-dash) ,(sym "q?"))))
(m)
