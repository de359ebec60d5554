;; Modules, a shared upvalue, a metatable, a global and nested functions:
;; the object graph gen spells out.
(local ci (require :quire.ci))
(local helpers (require :helpers))
(local versions (require :lib.versions))
(var runs 0)
(fn count [] (set runs (+ runs 1)) runs)
(local defaults (setmetatable [] {:__index (fn [_ k] (.. "default-" k))}))
(global greeting "hello")
(each [_ v (ipairs versions)]
  (helpers.go-job ci v count))
(ci.job :report [:go-1.25 :go-1.26]
  (fn [{: log}]
    (log (.. greeting " " (. defaults :x)))
    (let [inner (fn [n] (* n 2))
          h (require :helpers)]
      {:runs (count) :double (inner runs) :helper (type h.go-job)})))
(ci.mirror "https://example.com/a.git"
  {:secret :token :as :mirror-a :tag (fn [{: sha}] (.. "a-" sha))})
