sbatch --test-only --partition=long --time=1:00:00 --wrap 'true'
