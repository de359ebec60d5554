(local k :dyn)
{k 1 :static 2 [1] 3 (.. :computed :key) 4 true 5}
