(fn walk [t acc]
  (case t
    [x & rest] (walk rest (+ acc x))
    _ acc))
