(print "\q unknown escape letters: \g \k \%")
