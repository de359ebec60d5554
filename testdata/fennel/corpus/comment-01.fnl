; a line comment
;; a doubled comment
(print 1) ; trailing comment
;;; triple
