(fcollect [i 0 20 5 &into [:head]] (tostring i))
