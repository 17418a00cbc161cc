scontrol -o show job 57,58,65
