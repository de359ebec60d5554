(λ greet [name ?greeting]
  (.. (or ?greeting "hi") " " name))
