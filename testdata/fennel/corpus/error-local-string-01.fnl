(local :a 1)
