(print _G _VERSION math.pi string.format)
