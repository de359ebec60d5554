(eval-compiler (error "nope"))
