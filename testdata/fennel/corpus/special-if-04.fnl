(fn classify [x]
  (if (= (type x) :number)
      (if (= 0 (% x 2)) :even :odd)
      (= (type x) :string) (.. "s:" x)
      :other))
