(case-try (pcall tonumber "12")
  (true n) (values :ok n)
  (catch (false e) e))
