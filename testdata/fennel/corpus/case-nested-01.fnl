(case {:user {:name "ann" :roles [:admin :dev]}}
  {:user {: name :roles [first-role]}} (.. name ":" first-role)
  _ :anonymous)
