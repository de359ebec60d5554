(local expected 5)
(case 5
  (where ^expected) :matched
  _ :no)
