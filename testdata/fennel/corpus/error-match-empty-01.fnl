(match)
