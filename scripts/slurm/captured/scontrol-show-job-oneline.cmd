scontrol -o show job 65
