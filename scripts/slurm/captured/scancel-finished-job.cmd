scancel 57
