(match :b
  (where (or :a :b :c)) :abc
  _ :other)
