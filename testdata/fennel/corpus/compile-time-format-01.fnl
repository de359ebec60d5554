(macro m []
  [(string.format "%q" "a\0b\r\n\t\27\127\1\2\31 é \"q\" \\")
   (string.format "%q" "\195\169 \226\128\139 \240\159\152\128")
   (string.format "%q" 1)])
(m)
