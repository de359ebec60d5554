(print :café {:clé "valeur"})
