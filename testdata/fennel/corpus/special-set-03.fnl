(var done false)
(local t {:ok true})
(set done (and t.ok (not done)))
(set done (or (. t :missing) done))
done
