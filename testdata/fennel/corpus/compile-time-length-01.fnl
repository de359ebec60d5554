(macro m [] [(length "abc") (length [1 2 3]) (length {}) (length [1 2 3 4 5 6 7 8 9 10])])
(m)
