(print (let [t {}] (tset t :k 1) t))
