(quote x)
