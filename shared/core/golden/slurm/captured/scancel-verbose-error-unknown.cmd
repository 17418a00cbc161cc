scancel -v 99999999
