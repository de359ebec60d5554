(print "unicode escape is not 5.1: \u{48} \u{e9} \u{1F600}")
