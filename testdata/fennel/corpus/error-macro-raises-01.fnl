(macro boom [] (error "boom at compile time"))
(boom)
