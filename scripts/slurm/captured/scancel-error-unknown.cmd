scancel 99999999
