squeue --noheader --array --states=all --jobs=73,61 --format='%i|%T|%r|%M|%l|%S|%e|%N|%k|%j'
