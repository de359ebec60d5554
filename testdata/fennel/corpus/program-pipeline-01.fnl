(local ci {:jobs []})
(fn ci.job [name opts]
  (table.insert ci.jobs {: name :image (or opts.image "debian:stable")
                         :steps (icollect [_ s (ipairs (or opts.steps []))] s)})
  name)
(ci.job :build {:image "golang:1.22" :steps ["go build ./..." "go vet ./..."]})
(ci.job :test {:steps ["go test ./..."]})
(each [_ j (ipairs ci.jobs)]
  (print j.name j.image (length j.steps)))
