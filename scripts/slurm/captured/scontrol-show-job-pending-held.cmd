scontrol show job 72
