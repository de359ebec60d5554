(fn parse-kv [s]
  (match-try (string.match s "(%w+)=(%w+)")
    (k v) (tonumber v)
    n {:key :n :value n}
    (catch
      _ nil)))
