(print .inf -.inf math.huge (- math.huge))
