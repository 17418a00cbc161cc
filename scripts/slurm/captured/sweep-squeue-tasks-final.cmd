squeue --noheader --states=all --jobs=707_0,707_1,707_2,707_3,710_0,710_1,710_2,710_3 --format='%i|%T|%r|%M|%l|%S|%e|%N|%k|%j'
