squeue --noheader --format='%i|%T|%r|%M|%l|%S|%e|%N|%k|%j'
