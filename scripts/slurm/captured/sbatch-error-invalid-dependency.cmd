sbatch --parsable --dependency=afterok:99999999 --wrap 'true'
