scontrol show job 59
