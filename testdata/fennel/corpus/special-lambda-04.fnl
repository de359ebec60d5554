(lambda [& rest] (select :# (table.unpack rest)))
