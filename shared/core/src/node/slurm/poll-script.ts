/**
 * One poll of every active job of a cluster, in one exec: squeue for all of
 * them; for those squeue no longer shows as waiting or running, the
 * accounting database (sacct) — or, without accounting, slurmctld's memory
 * (`scontrol show job`) — for their final state and exit code; then each
 * step's files, read on the login node: status.json, the size of log.txt,
 * and metrics.jsonl from the byte offset the store has reached.
 *
 * Order matters, as in the local target: the job's state first, then
 * status.json (so a job seen ended has its last status already written),
 * metrics last (the runtime writes them before its final status).
 *
 * Records: `cmd squeue|sacct|scontrol:ID ...` (see remote-script.ts) and
 * `step INDEX LOG_SIZE METRICS_SIZE STATUS_B64 METRICS_B64` per step.
 */
import { shellQuote } from '../remote/command-runner.js';
import { remoteScript } from './remote-script.js';
import { SACCT_FIELDS } from './sacct-parsable.js';
import { SQUEUE_FORMAT } from './squeue-text.js';

/** Most metrics bytes read per step and poll; the rest comes with the next poll. */
export const METRICS_CHUNK = 4 * 1024 * 1024;

/** squeue states of jobs that may still run; any other (or none) sends the job to sacct / scontrol. */
const LIVE_STATES = ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'STOPPED', 'SIGNALING', 'STAGE_OUT', 'RESIZING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD'];

export interface PollStepFiles {
  stepDir: string;
  metricsOffset: number;
}

export interface PollScriptInput {
  jobIds: readonly string[];
  steps: readonly PollStepFiles[];
  accounting: boolean;
}

export function pollScript(nonce: string, input: PollScriptInput): string {
  if (input.jobIds.length === 0) throw new Error('pollScript: no job ids (squeue would list every job of the cluster)');
  const body = [
    // --array: one line per array task; without it, pending tasks share one line (`123_[1-3%2]`).
    `ferry_capture squeue squeue --noheader --array --states=all ${shellQuote(`--jobs=${squeueJobList(input.jobIds)}`)} ${shellQuote(`--format=${SQUEUE_FORMAT}`)}`,
    ...(input.accounting ? [] : ['ferry_squeue_status=$ferry_status', `ferry_squeue_forgot=$(grep -q 'Invalid job id specified' "$ferry_tmp/err" && echo yes)`]),
    '# Jobs squeue does not show as waiting or running (or at all): ask for their final word. An array task is',
    "# asked about by its array's id: sacct and scontrol know a task that never started only as part of its array.",
    `ferry_ended=$(awk -F'|' -v ids=${shellQuote(input.jobIds.join(' '))} -v live=${shellQuote(LIVE_STATES.join(' '))} '`,
    '  BEGIN { n = split(ids, id, " "); split(live, l, " "); for (i in l) alive[l[i]] = 1 }',
    '  { state[$1] = $2 }',
    '  END { for (i = 1; i <= n; i++) if (!(state[id[i]] in alive)) { j = id[i]; sub(/_.*/, "", j); if (!(j in asked)) { asked[j] = 1; printf "%s%s", sep, j; sep = "," } } }',
    `' "$ferry_tmp/out")`,
    ...(input.accounting
      ? [
          'if [ -n "$ferry_ended" ]; then',
          `  ferry_capture sacct sacct -X --parsable2 --noheader --jobs="$ferry_ended" ${shellQuote(`--format=${SACCT_FIELDS}`)}`,
          'fi',
        ]
      : [
          '# scontrol asks the same slurmctld as squeue: when that one did not answer, neither would it (each after a timeout).',
          `if [ "$ferry_squeue_status" -eq 0 ] || [ "$ferry_squeue_forgot" = yes ]; then`,
          '  for ferry_id in ${ferry_ended//,/ }; do ferry_capture "scontrol:$ferry_id" scontrol -o show job "$ferry_id"; done',
          'fi',
        ]),
    ...stepFilesLines(input.steps),
  ];
  return remoteScript(nonce, 'Ferry: poll jobs and step files', body);
}

/** Script lines that record each step's files: `step INDEX LOG_SIZE METRICS_SIZE STATUS_B64 METRICS_B64` (shared with the light poll). */
export function stepFilesLines(steps: readonly PollStepFiles[]): string[] {
  return [
    '# ferry_step INDEX DIR METRICS_OFFSET: status.json, the log size, and new metrics bytes (at most the chunk size).',
    'ferry_step() {',
    '  local status log_size metrics_size count',
    '  status=$(base64 -w0 2>/dev/null <"$2/status.json")',
    '  log_size=$(stat -c %s "$2/log.txt" 2>/dev/null) || log_size=0',
    '  metrics_size=$(stat -c %s "$2/metrics.jsonl" 2>/dev/null) || metrics_size=0',
    `  count=$((metrics_size - $3)); [ "$count" -gt ${METRICS_CHUNK} ] && count=${METRICS_CHUNK}`,
    `  printf '%s step %s %s %s %s ' "$ferry_mark" "$1" "$log_size" "$metrics_size" "$status"`,
    '  if [ "$count" -gt 0 ]; then tail -c +"$(($3 + 1))" "$2/metrics.jsonl" | head -c "$count" | base64 -w0; fi',
    "  printf '\\n'",
    '}',
    ...steps.map((step, index) => `ferry_step ${index} ${shellQuote(step.stepDir)} ${Math.max(0, Math.floor(step.metricsOffset))}`),
  ];
}

/**
 * The ids for `squeue --jobs`. One id alone makes squeue 22.05 take its
 * single-job path, three slurmctld RPCs (federation info, the job, the
 * partitions); a list, even of one id twice, is one job-info RPC plus the
 * partitions — two, however many jobs (measured with sdiag). squeue lists
 * a repeated id once.
 */
export function squeueJobList(jobIds: readonly string[]): string {
  return (jobIds.length === 1 ? [jobIds[0]!, jobIds[0]!] : jobIds).join(',');
}
