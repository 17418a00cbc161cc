sbatch --parsable --cpus-per-task=64 --wrap 'true'
