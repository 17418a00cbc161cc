scontrol show job 66
