scontrol show job 67
