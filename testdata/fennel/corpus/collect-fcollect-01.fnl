(fcollect [i 1 5] (* i i))
