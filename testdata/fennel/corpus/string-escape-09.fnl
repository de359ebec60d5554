(print "\z   skipped? no: z in 5.1")
