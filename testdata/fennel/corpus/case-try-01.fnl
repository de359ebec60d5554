(fn load-config [path]
  (case-try (io.open path)
    f (f:read :*a)
    text (string.match text "version=(%d+)")
    ver (tonumber ver)
    (catch
      (nil err) (values nil err)
      _ nil)))
