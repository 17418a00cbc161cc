#!/bin/bash
# Ferry: step evaluate of run r-20250101-120000-abcdef. Submitted by Ferry with its sbatch options on the command line.
set -eo pipefail
# Set-up lines of the target, as written in the Ferry config:
module load apptainer/1.2
source "$HOME/venvs/ferry/bin/activate"
exec apptainer exec --bind /scratch/alice/ferry/runs/r-20250101-120000-abcdef --bind /scratch --bind /data:/data:ro '/images/ferry dev.sif' python3 /scratch/alice/ferry/runs/r-20250101-120000-abcdef/ferry_runtime.py --run-dir /scratch/alice/ferry/runs/r-20250101-120000-abcdef --step evaluate --mode script
