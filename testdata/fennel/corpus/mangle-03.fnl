(print some-undefined-global another-global? *special* +plus+ a/b)
