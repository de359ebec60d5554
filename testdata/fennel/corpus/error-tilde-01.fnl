(print ~x)
