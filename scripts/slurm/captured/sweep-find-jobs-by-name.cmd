squeue --noheader --me --states=all --name=ferry-s-20261122-000000-abcdef-first,ferry-s-20261122-000000-abcdef-second --format='%i|%j|%T'
