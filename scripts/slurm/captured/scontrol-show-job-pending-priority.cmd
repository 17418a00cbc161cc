scontrol show job 71
