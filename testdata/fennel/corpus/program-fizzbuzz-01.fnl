(fn fizzbuzz [n]
  (for [i 1 n]
    (print (case [(% i 3) (% i 5)]
             [0 0] "FizzBuzz"
             [0 _] "Fizz"
             [_ 0] "Buzz"
             _ i))))
(fizzbuzz 15)
