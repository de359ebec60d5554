(macro count-args [...] (select :# ...))
(print (count-args a b c d))
