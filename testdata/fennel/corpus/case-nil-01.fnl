(case nil
  nil :is-nil
  _ :not-nil)
