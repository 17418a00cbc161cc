scontrol -o show job 710
