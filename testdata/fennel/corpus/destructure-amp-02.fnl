(fn head-tail [[h & t]] (values h t))
(head-tail [1 2 3])
