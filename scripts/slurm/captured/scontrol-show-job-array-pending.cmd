scontrol show job 73
