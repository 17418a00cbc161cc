scontrol -o show job 73
