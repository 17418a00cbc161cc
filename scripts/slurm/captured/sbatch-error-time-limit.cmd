sbatch --parsable --partition=debug --time=2:00:00 --wrap 'true'
