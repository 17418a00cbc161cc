squeue --noheader --states=all --jobs=57,58,66 --format='%i|%T|%r|%M|%l|%S|%e|%N|%k|%j'
