scontrol show job 57
