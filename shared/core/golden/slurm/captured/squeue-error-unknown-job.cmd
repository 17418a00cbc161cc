squeue --noheader --jobs=99999999 --format='%i|%T|%r|%M|%l|%S|%e|%N|%k|%j'
