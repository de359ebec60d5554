(fn go-job [ci version count]
  (ci.job (.. "go-" version) [:quire/push]
    (fn [{: sh}]
      (count)
      (sh ["docker" "run" (.. "golang:" version) "go" "test" "./..."]))))
{: go-job}
