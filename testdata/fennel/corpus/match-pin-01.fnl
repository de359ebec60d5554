(local v 1)
(match 1
  (where ^v) :pinned)
