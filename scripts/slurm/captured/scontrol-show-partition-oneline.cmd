scontrol -o show partition
