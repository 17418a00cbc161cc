squeue --noheader --states=all --jobs=57,58,59,60,61,65,66,67,68,69,70,71,72,73,74,75 --format='%A|%F|%K|%i|%P|%u|%T|%r|%V|%S|%e|%M|%l|%D|%C|%N|%k|%j'
