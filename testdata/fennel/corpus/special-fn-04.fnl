(fn area [w h]
  {:fnl/docstring "Area of a rectangle."
   :fnl/arglist [width height]
   :custom-key 42}
  (* w h))
