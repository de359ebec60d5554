(icollect [v] v)
