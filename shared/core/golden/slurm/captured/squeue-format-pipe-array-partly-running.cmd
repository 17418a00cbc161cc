squeue --noheader --states=all --jobs=74 --format='%i|%T|%r|%M|%l|%S|%e|%N|%k|%j'
