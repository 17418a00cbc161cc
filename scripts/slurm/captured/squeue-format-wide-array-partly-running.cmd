squeue --noheader --states=all --jobs=74 --format='%A|%F|%K|%i|%P|%u|%T|%r|%V|%S|%e|%M|%l|%D|%C|%N|%k|%j'
