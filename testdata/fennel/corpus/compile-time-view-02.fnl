(macro m []
  [(view "\0\1\127 \194\160 \226\128\139 \240\159\152\128")
   (view [1e100 -1e-100 3.14159265358979])
   (view {:one-long-key-name-to-force-wrapping "value value value value value"
          :another-long-key-name "more text to make it wrap onto lines"})])
(m)
