(fn first-two [...] (let [(a b) ...] [a b]))
(fn pass [...] (print ...) ...)
