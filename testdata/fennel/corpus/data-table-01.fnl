{:a 1 :b [1 2 3] :c {:d true :e false :f nil}}
