(-> "hello" string.upper (: :rep 2) print)
