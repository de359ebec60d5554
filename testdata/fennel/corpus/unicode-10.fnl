(fn λ-helper [x] x)
(λ-helper 1)
