#!/bin/bash
# Ferry: step train of run r-20250101-120000-abcdef. Submitted by Ferry with its sbatch options on the command line.
set -eo pipefail
exec python3 /scratch/alice/ferry/runs/r-20250101-120000-abcdef/ferry_runtime.py --run-dir /scratch/alice/ferry/runs/r-20250101-120000-abcdef --step train --mode script
