(case (pcall error "boom")
  (true v) v
  (false err) (.. "failed: " (tostring err)))
