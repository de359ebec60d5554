(require-macros :corpus.no-such-module)
