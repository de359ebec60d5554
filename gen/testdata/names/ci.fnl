;; Job ids that are not Go identifiers, and captured values that Go
;; constants cannot spell directly.
(local ci (require :quire.ci))
(local bytes ["nul\0inside" "\255\254 not utf-8" "tab\tnewline\n" "é ✓ 🚀" "\226\128\174rtl"])
(local not-a-number (/ 0 0))
(local plus-inf (/ 1 0))
(local minus-inf (/ -1 0))
(local negzero (- (tonumber "0"))) ; computed, so no constant folding merges it with 0
(local big 9007199254740993)
(local tiny 5e-324)
(local third (/ 1 3))
(ci.job :build-linux.amd64 [:quire/push] (fn [] {:b bytes}))
(ci.job :build-linux-amd64 [:quire/push] (fn [] {:n not-a-number :i plus-inf :ni minus-inf}))
(ci.job :déploiement [:build-linux.amd64] (fn [] {:z negzero :big big}))
(ci.job :Test [:quire/push] (fn [] {:tiny tiny}))
(ci.job :test [:quire/push] (fn [] {:third third}))
(ci.job "🚀" [:test] (fn [] {}))
(ci.job "with \"quotes\" and spaces" [:test] (fn [] {}))
(ci.job "9lives" [:test] (fn [] {}))
