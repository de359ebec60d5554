(macro m []
  (icollect [a b (string.gmatch "k1=v1, k2=v2, k3=v3" "(%w+)=(%w+)")] (.. b a)))
(m)
