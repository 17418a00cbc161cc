#!/bin/bash
# Ferry: step train of sweep s-20250101-120000-fedcba, one array task per point. Submitted by Ferry with its sbatch options on the command line.
set -eo pipefail
# The point's run directory: points/<array task id> in the sweep directory links to it.
[[ ${SLURM_ARRAY_TASK_ID:-} =~ ^[0-9]+$ ]] || { echo 'ferry: SLURM_ARRAY_TASK_ID is not set: this script runs as a task of a job array' >&2; exit 2; }
ferry_run_dir=$(cd -P -- /scratch/alice/ferry/sweeps/s-20250101-120000-fedcba/points/"$SLURM_ARRAY_TASK_ID" && pwd)
cd -- "$ferry_run_dir"
export FERRY_RUN_ID=${ferry_run_dir##*/}
# Set-up lines of the target, as written in the Ferry config:
module load apptainer/1.2
source "$HOME/venvs/ferry/bin/activate"
exec apptainer exec --bind "$ferry_run_dir" --bind /scratch --bind /data:/data:ro '/images/ferry dev.sif' python3 "$ferry_run_dir"/ferry_runtime.py --run-dir "$ferry_run_dir" --step train --mode script
