(fn even? [n] (if (= n 0) true (odd? (- n 1))))
(fn odd? [n] (if (= n 0) false (even? (- n 1))))
