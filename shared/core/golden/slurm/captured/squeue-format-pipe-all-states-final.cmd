squeue --noheader --states=all --jobs=57,58,59,60,61,65,66,67,68,69,70,71,72,73,74,75 --format='%i|%T|%r|%M|%l|%S|%e|%N|%k|%j'
