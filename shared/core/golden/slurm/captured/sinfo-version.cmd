sinfo -V
