;; The pipeline of SPEC §1: an image, two jobs and a mirror stage.
(local ci (require :quire.ci))
(ci.image "golang:1.26")
(ci.job :test [:quire/push]
  (fn [{: sh : jobs}]
    (let [push (jobs :quire/push)]
      (when (= push.branch "main")
        (sh ["go" "test" "./..."])))))
(ci.job :package [:test]
  (fn [{: sh : jobs}]
    (let [t (jobs :test)]
      (when (and t (= 0 t.exit))
        {:artifact "dist/app.tar.gz" :exit (. (sh "make dist") :exit)}))))
(ci.mirror "https://github.com/owner/repo.git"
  {:secret :github_token :refs ["refs/heads/main"] :after [:test]
   :tag (fn [{: sha}] (.. "v" (os.date "!%Y-%m-%d") "-" (sha:sub 1 8)))})
