sacct --json -j 58
