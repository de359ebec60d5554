(local M {})
(fn M.helper [x] (+ x 1))
(fn M.run [self] (self.helper 1))
M
