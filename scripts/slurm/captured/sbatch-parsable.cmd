sbatch --parsable --chdir=/home/ferrytest/ferry/runs/r-20261122-000000-abcdef --output=%x-%j.out --job-name=ferry:r-20261122-000000-abcdef:submit-ok --time=1:00 --hold --wrap 'true'
