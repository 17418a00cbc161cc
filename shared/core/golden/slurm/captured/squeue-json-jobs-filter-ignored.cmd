squeue --json --jobs=65 | python3 -c 'import json,sys; print(sorted(j["job_id"] for j in json.load(sys.stdin)["jobs"]))'
