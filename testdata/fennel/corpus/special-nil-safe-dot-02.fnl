(fn get [t k] (?. t k 1))
