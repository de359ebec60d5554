(fn in-range [a b c] (< a b c))
(fn all-eq [a b c d] (= a b c d))
