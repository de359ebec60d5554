(fn eval-expr [e]
  (match e
    [:add a b] (+ (eval-expr a) (eval-expr b))
    [:mul a b] (* (eval-expr a) (eval-expr b))
    [:neg a] (- (eval-expr a))
    (where n (= (type n) :number)) n))
