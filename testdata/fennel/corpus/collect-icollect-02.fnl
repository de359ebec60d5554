(icollect [_ v (ipairs [:a :b]) &into [:start]] (v:upper))
