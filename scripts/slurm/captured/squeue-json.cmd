squeue --json
