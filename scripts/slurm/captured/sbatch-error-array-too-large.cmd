sbatch --parsable --array=0-5000 --wrap 'true'
