; commentaire en français, 注释, 💬
(print 1)
