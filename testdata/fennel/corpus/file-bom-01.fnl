(print :bom)
