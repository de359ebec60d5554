(fn find [key t]
  (case t
    {:k ^key : v} v
    _ nil))
