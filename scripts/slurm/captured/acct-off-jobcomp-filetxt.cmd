grep 'JobId=81 ' /var/log/slurm/jobcomp.log
