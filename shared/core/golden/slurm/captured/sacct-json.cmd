sacct --json -X -j 57,58,65
