(local nil 1)
