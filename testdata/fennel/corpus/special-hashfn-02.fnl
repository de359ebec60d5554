(local id #$)
(local pack #[$...])
(local third #$3)
