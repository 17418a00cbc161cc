scontrol show job 58
