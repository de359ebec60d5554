(print .nan -.nan)
