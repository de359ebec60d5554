(local if 1)
