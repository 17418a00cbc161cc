sbatch --parsable --partition=gpu-nope --wrap 'true'
