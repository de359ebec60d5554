(local f (fn [x] {:fnl/arglist [x] :tag :anon} x))
