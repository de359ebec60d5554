(eval-compiler
  (set _G.unused-flag true))
(print :ok)
