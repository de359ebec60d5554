(case (string.match "key=value" "(%w+)=(%w+)")
  (k v) {k v}
  nil {})
