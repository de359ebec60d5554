(fn only-docstring [] "just a string, not a docstring")
