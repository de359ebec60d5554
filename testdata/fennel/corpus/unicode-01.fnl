(print "café naïve résumé")
