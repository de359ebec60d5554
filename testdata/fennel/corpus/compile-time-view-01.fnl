(macro m []
  [(view 0.1) (view 1e15) (view (/ 0 0)) (view (/ 1 0)) (view -0.0) (view 123456789012)
   (view "a\nb\t\27é") (view [1 2 {:a [3]}]) (view {:b 1 :a 2 :c {:nested true}})
   (view "quote\"and\\") (view (sym :foo)) (view (list (sym :f) 1))])
(m)
