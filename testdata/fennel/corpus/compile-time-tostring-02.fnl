(macro m []
  (let [nan (tostring (/ 0 0))]
    [(nan:gsub "^-" "") (tostring math.huge) (tostring (- math.huge))]))
(m)
