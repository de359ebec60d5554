(print :kw :kebab-case :with.dots :with/slash :q? :!bang :1 :*)
