scontrol show job 99999999
