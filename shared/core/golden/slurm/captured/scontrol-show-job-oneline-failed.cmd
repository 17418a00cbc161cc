scontrol -o show job 58
