#!/usr/bin/env bash
# Captures REAL Slurm 22.05 outputs from the dev cluster (scripts/dev-slurm.sh)
# for parser golden tests: jobs in every interesting state, then squeue /
# sacct / scontrol / sbatch / sdiag outputs, each run over SSH as the test
# user exactly as Ferry runs them.
#
#   bash scripts/slurm/capture.sh [OUT_DIR]    # default scripts/slurm/captured
#
# For each capture NAME it writes NAME.cmd (the command line run on the
# cluster), NAME.txt (stdout; NAME.json when it is JSON), NAME.stderr.txt
# (only when stderr is not empty) and NAME.exit (only when the exit status is
# not 0). jobs.json maps each job's role to its id. Takes about 2 minutes
# (the TIMEOUT job needs its 1-minute limit to pass). Switches accounting
# off and back on near the end.
#
#   FERRY_CAPTURE_ONLY=arrays bash scripts/slurm/capture.sh [OUT_DIR]
#
# captures only the sweep-* files (a sweep as Ferry submits it: one job array
# per step chained with aftercorr; sweep-jobs.json), leaving the others be.
set -Eeuo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/captured}
state=/var/lib/ferry-dev-cluster
dev="bash $here/../dev-slurm.sh"
ssh_() { ssh -F "$state/ssh_config" ferry-dev "$@"; }
run_id=r-20261122-000000-abcdef
wd=/home/ferrytest/ferry/runs/$run_id

only=${FERRY_CAPTURE_ONLY:-}
fmt='%i|%T|%r|%M|%l|%S|%e|%N|%k|%j'
wide='%A|%F|%K|%i|%P|%u|%T|%r|%V|%S|%e|%M|%l|%D|%C|%N|%k|%j'
sacct_fields=JobID,JobName,State,ExitCode,Start,End,Elapsed,NodeList,Reason,Comment

$dev up >/dev/null
mkdir -p "$out"
if [ "$only" = arrays ]; then rm -f "$out"/sweep-*; else rm -f "$out"/*.cmd "$out"/*.txt "$out"/*.json "$out"/*.exit; fi

# cap NAME 'COMMAND' [json]: run COMMAND on the cluster, keep what it printed.
cap() {
  local name=$1 cmd=$2 ext=txt rc=0
  [ "${3:-}" = json ] && ext=json
  printf '%s\n' "$cmd" >"$out/$name.cmd"
  ssh_ "$cmd" >"$out/$name.$ext" 2>"$out/$name.stderr.txt" || rc=$?
  [ -s "$out/$name.stderr.txt" ] || rm -f "$out/$name.stderr.txt"
  [ $rc = 0 ] || echo "$rc" >"$out/$name.exit"
  printf '  %-44s exit %s\n' "$name" "$rc"
}
submit() { ssh_ "sbatch --parsable --chdir=$wd --output=%x-%j.out $*"; }
state_of() { ssh_ "scontrol show job $1" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
wait_state() { # wait_state ID STATE...
  local id=$1 s w; shift
  for _ in $(seq 300); do
    s=$(state_of "$id" || true)
    for w in "$@"; do [ "$s" = "$w" ] && return 0; done
    sleep 0.5
  done
  echo "job $id never reached $* (is $s)" >&2; return 1
}

# A sweep of 4 points as Ferry submits it: one job array per step (at most 2
# points at once), the second chained to the first with aftercorr and
# --kill-on-invalid-dep. Point 2's first step fails (its second step is then
# cancelled by Slurm); point 3's second step is cancelled by the user while
# pending. Asked about the way Ferry's poll asks: by task ids, by array ids.
capture_arrays() {
  local sweep=s-20261122-000000-abcdef
  local sd=/home/ferrytest/ferry/sweeps/$sweep
  echo "==> a sweep as job arrays (sweep $sweep)"
  ssh_ "mkdir -p $sd"
  local opts="--chdir=$sd --output=/dev/null --time=5:00 --array=0-3%2"
  local first second tasks
  first=$(ssh_ "sbatch --parsable $opts --job-name=ferry-$sweep-first --comment=ferry:$sweep:first --wrap 'sleep 4; [ \$SLURM_ARRAY_TASK_ID = 2 ] && exit 3; exit 0'")
  second=$(ssh_ "sbatch --parsable $opts --job-name=ferry-$sweep-second --comment=ferry:$sweep:second --dependency=aftercorr:$first --kill-on-invalid-dep=yes --wrap 'echo second'")
  tasks=$(echo "${first}_"{0..3} "${second}_"{0..3} | tr ' ' ,)
  sleep 1
  cap sweep-squeue-tasks-pending "squeue --noheader --states=all --jobs=$tasks --format='$fmt'"
  cap sweep-squeue-tasks-pending-array "squeue --noheader --array --states=all --jobs=$tasks --format='$fmt'"
  cap sweep-sacct-tasks-pending "sacct -X --parsable2 --noheader -j $tasks -o $sacct_fields"
  cap sweep-sacct-arrays-pending "sacct -X --parsable2 --noheader -j $first,$second -o $sacct_fields"
  cap sweep-scontrol-oneline-array-pending "scontrol -o show job $second"
  cap sweep-find-jobs-by-name "squeue --noheader --me --states=all --name=ferry-$sweep-first,ferry-$sweep-second --format='%i|%j|%T'"
  ssh_ "scancel ${second}_3"
  for _ in $(seq 240); do
    [ -z "$(ssh_ "squeue --noheader --jobs=$first,$second --format=%i")" ] && break
    sleep 0.5
  done
  sleep 2
  cap sweep-squeue-tasks-final "squeue --noheader --states=all --jobs=$tasks --format='$fmt'"
  cap sweep-squeue-tasks-final-array "squeue --noheader --array --states=all --jobs=$tasks --format='$fmt'"
  cap sweep-sacct-arrays-final "sacct -X --parsable2 --noheader -j $first,$second -o $sacct_fields"
  cap sweep-scontrol-oneline-array-final "scontrol -o show job $second"
  printf '{\n  "sweep": "%s",\n  "first": "%s",\n  "second": "%s"\n}\n' "$sweep" "$first" "$second" >"$out/sweep-jobs.json"
}

if [ "$only" = arrays ]; then
  capture_arrays
  echo "==> done: $out"
  exit 0
fi

echo "==> submitting jobs (run $run_id)"
ssh_ "mkdir -p $wd"
start_iso=$(date +%Y-%m-%dT%H:%M:%S)
name() { echo "ferry:$run_id:$1"; }
completed=$(submit "--job-name=$(name prepare) --comment=$(name prepare) --time=5:00 --wrap 'echo prepared'")
failed=$(submit "--job-name=$(name evaluate) --comment=$(name evaluate) --time=5:00 --wrap 'echo failing >&2; exit 3'")
cancelled_running=$(submit "--job-name=$(name train-a) --comment=$(name train-a) --time=5:00 --wrap 'sleep 300'")
wait_state "$completed" COMPLETED
wait_state "$failed" FAILED
wait_state "$cancelled_running" RUNNING
sleep 1
ssh_ "scancel $cancelled_running"
cancelled_pending=$(submit "--job-name=$(name train-b) --comment=$(name train-b) --time=5:00 --begin=now+2hours --wrap 'sleep 1'")
ssh_ "scancel $cancelled_pending"
array_done=$(submit "--job-name=$(name sweep) --comment=$(name sweep) --time=5:00 --array=0-3 --wrap 'echo task \$SLURM_ARRAY_TASK_ID; sleep 1'")
wait_state "$cancelled_running" CANCELLED
for t in 0 1 2 3; do wait_state "${array_done}_$t" COMPLETED; done

# Both CPUs busy from here on: a running job and one that will time out.
running=$(submit "--job-name=$(name train) --comment=$(name train) --time=20:00 --wrap 'for i in \$(seq 900); do echo step \$i; sleep 1; done'")
timeout=$(submit "--job-name=$(name slow) --comment=$(name slow) --time=1 --wrap 'sleep 120'")
wait_state "$running" RUNNING
wait_state "$timeout" RUNNING
pending_dependency=$(submit "--job-name=$(name report) --comment=$(name report) --time=5:00 --dependency=afterok:$running --wrap 'echo report'")
pending_never=$(submit "--job-name=$(name publish) --comment=$(name publish) --time=5:00 --dependency=afterok:$failed --wrap 'echo never'")
pending_begin=$(submit "--job-name=$(name nightly) --comment=$(name nightly) --time=5:00 --begin=now+1hour --wrap 'echo later'")
pending_resources=$(submit "--job-name=$(name infer) --comment=$(name infer) --time=5:00 --wrap 'echo infer'")
pending_priority=$(submit "--job-name=$(name infer-2) --comment=$(name infer-2) --time=5:00 --wrap 'echo infer 2'")
pending_held=$(submit "--job-name=$(name held) --comment=$(name held) --time=5:00 --hold --wrap 'echo held'")
array_pending=$(submit "--job-name=$(name grid) --comment=$(name grid) --time=5:00 --array=0-3%2 --begin=now+1hour --wrap 'echo \$SLURM_ARRAY_TASK_ID'")
array_mixed=$(submit "--job-name=$(name tune) --comment=$(name tune) --time=5:00 --array=0-3%1 --wrap 'sleep 300'")
long_partition=$(submit "--partition=long --job-name=$(name long) --comment=$(name long) --time=2:00:00 --begin=now+1hour --wrap 'echo long'")
sleep 3   # let the scheduler and backfill assign reasons

cat >"$out/jobs.json" <<EOF
{
  "run": "$run_id",
  "completed": "$completed",
  "failed_exit3": "$failed",
  "cancelled_running": "$cancelled_running",
  "cancelled_pending": "$cancelled_pending",
  "array_completed": "$array_done",
  "running": "$running",
  "timeout": "$timeout",
  "pending_dependency": "$pending_dependency",
  "pending_dependency_never_satisfied": "$pending_never",
  "pending_begin_time": "$pending_begin",
  "pending_resources": "$pending_resources",
  "pending_priority": "$pending_priority",
  "pending_held": "$pending_held",
  "array_pending": "$array_pending",
  "array_throttled_partly_running": "$array_mixed",
  "pending_long_partition": "$long_partition"
}
EOF
all="$completed,$failed,$cancelled_running,$cancelled_pending,$array_done,$running,$timeout,$pending_dependency,$pending_never,$pending_begin,$pending_resources,$pending_priority,$pending_held,$array_pending,$array_mixed,$long_partition"

echo "==> live snapshot (jobs running, pending, recently finished)"
cap squeue-format-pipe "squeue --noheader --format='$fmt'"
cap squeue-format-pipe-jobs "squeue --noheader --jobs=$all --format='$fmt'"
cap squeue-format-pipe-all-states "squeue --noheader --states=all --jobs=$all --format='$fmt'"
cap squeue-format-wide "squeue --noheader --states=all --jobs=$all --format='$wide'"
cap squeue-format-pipe-array-expanded "squeue --noheader --array --states=all --jobs=$array_pending,$array_done --format='$fmt'"
cap squeue-O-pipe "squeue --noheader --states=all --jobs=$all -O 'JobID:|,ArrayJobID:|,ArrayTaskID:|,State:|,Reason:|,TimeUsed:|,TimeLimit:|,StartTime:|,EndTime:|,NodeList:|,Comment:|,Name:|'"
cap squeue-default "squeue"
cap squeue-json "squeue --json" json
cap sacct-parsable2-live "sacct -X --parsable2 --noheader -o $sacct_fields -S $start_iso -E now"
cap sacct-parsable2-live-jobs "sacct -X --parsable2 --noheader -o $sacct_fields -j $all"
cap sacct-parsable2-steps "sacct --parsable2 --noheader -o JobID,JobName,State,ExitCode,Start,End,Elapsed,NodeList -j $completed,$failed,$cancelled_running,$running,$array_done"
cap sacct-json "sacct --json -X -j $completed,$failed,$running" json
cap sacct-json-steps-failed "sacct --json -j $failed" json
cap squeue-json-jobs-filter-ignored "squeue --json --jobs=$running | python3 -c 'import json,sys; print(sorted(j[\"job_id\"] for j in json.load(sys.stdin)[\"jobs\"]))'"
for role in completed failed cancelled_running cancelled_pending running timeout pending_dependency pending_never \
            pending_begin pending_resources pending_priority pending_held; do
  id=${!role}
  cap "scontrol-show-job-${role//_/-}" "scontrol show job $id"
done
cap scontrol-show-job-array-completed "scontrol show job $array_done"
cap scontrol-show-job-array-pending "scontrol show job $array_pending"
cap scontrol-show-job-oneline "scontrol -o show job $running"
cap scontrol-show-job-oneline-failed "scontrol -o show job $failed"
cap scontrol-show-job-error-id-list "scontrol -o show job $completed,$failed,$running"
cap scontrol-show-job-oneline-array-pending "scontrol -o show job $array_pending"

echo "==> submissions and errors"
cap sbatch-parsable "sbatch --parsable --chdir=$wd --output=%x-%j.out --job-name=$(name submit-ok) --time=1:00 --hold --wrap 'true'"
cap sbatch-parsable-array "sbatch --parsable --chdir=$wd --output=%x-%A_%a.out --job-name=$(name submit-array) --time=1:00 --array=0-9 --hold --wrap 'true'"
cap sbatch-error-invalid-partition "sbatch --parsable --partition=gpu-nope --wrap 'true'"
cap sbatch-error-time-limit "sbatch --parsable --partition=debug --time=2:00:00 --wrap 'true'"
cap sbatch-error-array-too-large "sbatch --parsable --array=0-5000 --wrap 'true'"
cap sbatch-error-too-many-cpus "sbatch --parsable --cpus-per-task=64 --wrap 'true'"
cap sbatch-error-invalid-dependency "sbatch --parsable --dependency=afterok:99999999 --wrap 'true'"
cap sbatch-test-only "sbatch --test-only --partition=long --time=1:00:00 --wrap 'true'"
cap squeue-error-unknown-job "squeue --noheader --jobs=99999999 --format='$fmt'"
cap squeue-unknown-and-known-job "squeue --noheader --jobs=99999999,$running --format='$fmt'"
cap scontrol-show-job-error-unknown "scontrol show job 99999999"
cap scancel-error-unknown "scancel 99999999"
cap scancel-verbose-error-unknown "scancel -v 99999999"
cap scancel-finished-job "scancel $completed"
cap sinfo-partitions "sinfo --noheader --format='%P|%a|%l|%L|%D|%t|%N|%c|%m'"
cap scontrol-show-partition-oneline "scontrol -o show partition"
cap sinfo-version "sinfo -V"
cap scontrol-show-config-grep "scontrol show config | grep -E 'MinJobAge|AccountingStorageType|SLURM_VERSION|JobCompType|MaxArraySize|ClusterName'"

echo "==> waiting for the TIMEOUT job (1-minute limit, checked every ~30 s)"
wait_state "$timeout" TIMEOUT
wait_state "${array_mixed}_0" RUNNING
sleep 2
echo "==> snapshot with a throttled array partly running"
cap squeue-format-pipe-array-partly-running "squeue --noheader --states=all --jobs=$array_mixed --format='$fmt'"
cap squeue-format-pipe-array-partly-running-expanded "squeue --noheader --array --states=all --jobs=$array_mixed --format='$fmt'"
cap squeue-format-wide-array-partly-running "squeue --noheader --states=all --jobs=$array_mixed --format='$wide'"
cap scontrol-show-job-array-partly-running "scontrol show job $array_mixed"
cap sacct-parsable2-array-partly-running "sacct -X --parsable2 --noheader -o $sacct_fields -j $array_mixed"
echo "==> final snapshot"
ssh_ "scancel $running $pending_dependency $pending_begin $pending_resources $pending_priority $pending_held $array_pending $array_mixed $long_partition $pending_never $(cat "$out/sbatch-parsable.txt") $(cat "$out/sbatch-parsable-array.txt")"
sleep 2
cap squeue-format-pipe-all-states-final "squeue --noheader --states=all --jobs=$all --format='$fmt'"
cap sacct-parsable2-final "sacct -X --parsable2 --noheader -o $sacct_fields -S $start_iso -E now"
cap sacct-parsable2-final-arrays "sacct -X --parsable2 --noheader -o JobID,JobIDRaw,JobName,State,ExitCode,Start,End -j $array_done,$array_pending,$array_mixed"
cap scontrol-show-job-timeout-final "scontrol show job $timeout"
cap sdiag "sdiag"

capture_arrays

echo "==> accounting off: what sacct and scontrol say then"
$dev accounting off >/dev/null
cap acct-off-sacct "sacct -X --parsable2 --noheader -o $sacct_fields -j $completed"
cap acct-off-scontrol-show-job-completed "scontrol show job $completed"
cap acct-off-scontrol-show-config-grep "scontrol show config | grep -E 'AccountingStorageType|JobCompType|JobCompLoc'"
cap acct-off-squeue-format-pipe-all-states "squeue --noheader --states=all --jobs=$completed,$failed,$timeout --format='$fmt'"
offjob=$(submit "--job-name=$(name acct-off) --comment=$(name acct-off) --time=1:00 --wrap 'echo no accounting'")
wait_state "$offjob" COMPLETED
sleep 1
cap acct-off-jobcomp-filetxt "grep 'JobId=$offjob ' /var/log/slurm/jobcomp.log"
$dev accounting on >/dev/null
echo "==> done: $out"
