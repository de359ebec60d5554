(fn count [...] (select :# ...))
(fn second [...] (select 2 ...))
