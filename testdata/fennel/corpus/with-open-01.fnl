(with-open [f (io.open "/etc/hostname")]
  (f:read :*a))
