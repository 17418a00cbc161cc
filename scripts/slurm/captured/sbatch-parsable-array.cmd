sbatch --parsable --chdir=/home/ferrytest/ferry/runs/r-20261122-000000-abcdef --output=%x-%A_%a.out --job-name=ferry:r-20261122-000000-abcdef:submit-array --time=1:00 --array=0-9 --hold --wrap 'true'
