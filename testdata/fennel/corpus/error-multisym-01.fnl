(fn foo.bar:baz [] 1)
