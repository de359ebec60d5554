(macro m []
  [(string.gsub "THE (quick) fox" "%f[%a]%a+" "W")
   (string.find "the cat" "%f[%w]cat")])
(m)
