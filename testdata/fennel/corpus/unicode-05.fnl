(local café 1)
(local 中文 2)
(print café 中文)
