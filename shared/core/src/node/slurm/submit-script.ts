/**
 * Submits a run's steps in one exec: one `sbatch --parsable` per step, in
 * topological order, each chained to its upstream jobs with
 * `--dependency=afterok` (and `--kill-on-invalid-dep=yes`, so Slurm itself
 * drops a job whose upstream failed). A sweep's steps are job arrays chained
 * with `aftercorr` instead: task i of a step waits for task i (the same
 * point) of its upstream steps only. Should sbatch refuse a step, the jobs
 * already submitted are cancelled at once — a run is queued whole or not at
 * all — and sbatch's own message comes back.
 *
 * Records: `job STEP ID` per submitted step; on a refusal,
 * `refused STEP STATUS STDOUT STDERR` (base64) and the captured `rollback`
 * scancel.
 */
import { FerryError } from '../../errors.js';
import { isSweepId } from '../../sweeps/sweep.js';
import { shellQuote } from '../remote/command-runner.js';
import { capturedCommands, decodeText, lastLines, remoteScript, type ScriptRecord } from './remote-script.js';
import { findJobsCommands } from './find-jobs-script.js';
import { jobName, type StepJob } from './step-job.js';

export interface SubmitStep extends StepJob {
  /** Upstream steps submitted by the same script (earlier in the list). */
  after: string[];
  /** Job ids of upstream steps submitted before, still queued or running. */
  afterJobs: string[];
  /** `aftercorr` for job arrays of a sweep; `afterok` when absent. */
  dependency?: 'afterok' | 'aftercorr';
}

/**
 * `ownerId`: the run's id, or the sweep's whose job arrays these are. Before
 * anything is submitted, the script looks the jobs up by name (squeue, and
 * sacct with `accounting`): a submit whose answer was lost, or whose job ids
 * never reached the store, must not queue the steps twice. Should a lookup
 * fail or find any job not cancelled, nothing is submitted and the caller
 * decides from the captured lookups (`parseNamedJobs`). Looking here rather
 * than in an exec of its own keeps a submit to one round trip.
 */
export function submitScript(nonce: string, ownerId: string, steps: readonly SubmitStep[], accounting: boolean): string {
  const variable = new Map(steps.map((step, index) => [step.step, `job_${index}`]));
  const lookups = findJobsCommands(steps.map((step) => jobName(ownerId, step.step)), accounting);
  const body = [
    '# ferry_none_queued: true when the lookups worked and found no job of these names that is not cancelled.',
    'ferry_none_queued() {',
    '  : >"$ferry_tmp/found"',
    ...lookups.flatMap((lookup) => [`  ${lookup}`, '  [ "$ferry_status" -eq 0 ] || return 1', '  cat "$ferry_tmp/out" >>"$ferry_tmp/found"']),
    `  ! grep -v -e '|CANCELLED' "$ferry_tmp/found" | grep -q .`,
    '}',
    'ferry_submitted=()',
    '# ferry_sbatch STEP OPTION... SCRIPT: submit; record the job id, or cancel what was submitted and record why not.',
    'ferry_sbatch() {',
    '  local step=$1; shift',
    '  local out status',
    '  out=$(sbatch --parsable "$@" 2>"$ferry_tmp/err")',
    '  status=$?',
    '  out=${out%%;*}  # "ID;CLUSTER" on multi-cluster sites',
    '  if [ "$status" -eq 0 ] && [[ $out =~ ^[0-9]+$ ]]; then',
    '    ferry_job=$out',
    '    ferry_submitted+=("$out")',
    '    ferry_record job "$step" "$out"',
    '    return 0',
    '  fi',
    '  ferry_record refused "$step" "$status" "$(printf %s "$out" | base64 -w0)" "$(base64 -w0 <"$ferry_tmp/err")"',
    '  if [ ${#ferry_submitted[@]} -gt 0 ]; then ferry_capture rollback scancel "${ferry_submitted[@]}"; fi',
    '  return 1',
    '}',
    'ferry_submit_steps() {',
    '  local ferry_job',
    ...steps.flatMap((step) => {
      const upstream = [
        ...step.after.map((name) => {
          const job = variable.get(name);
          if (!job) throw new FerryError('internal', `step ${step.step} waits on ${name}, which is not submitted before it`);
          return '${' + job + '}';
        }),
        ...step.afterJobs.map(checkedJobId),
      ];
      const dependency = upstream.length > 0 ? [`"--dependency=${step.dependency ?? 'afterok'}:${upstream.join(':')}" --kill-on-invalid-dep=yes`] : [];
      // One option per line: the golden files read as a list.
      const lines = [...dependency, ...step.options.map(shellQuote), `${shellQuote(step.scriptPath)} || return 1`];
      return [
        `  # step ${step.step}`,
        `  ferry_sbatch ${shellQuote(step.step)} \\`,
        ...lines.map((line, index) => `    ${line}${index < lines.length - 1 ? ' \\' : ''}`),
        `  local ${variable.get(step.step)}=$ferry_job`,
      ];
    }),
    '}',
    'if ferry_none_queued; then ferry_submit_steps; fi',
  ];
  return remoteScript(nonce, `Ferry: submit the steps of ${isSweepId(ownerId) ? 'sweep' : 'run'} ${ownerId}`, body);
}

export type SubmitResult =
  | { ok: true; jobIds: Record<string, string> }
  | { ok: false; step: string; message: string; jobIds: Record<string, string>; rolledBack: boolean };

export function parseSubmitRecords(records: readonly ScriptRecord[]): SubmitResult {
  const jobIds: Record<string, string> = {};
  for (const record of records) {
    if (record.kind === 'job') jobIds[record.fields[0]!] = record.fields[1]!;
  }
  const refused = records.find((record) => record.kind === 'refused');
  if (!refused) return { ok: true, jobIds };
  const [step = '?', status = '?', stdout, stderr] = refused.fields;
  const said = lastLines(decodeText(stderr)) || lastLines(decodeText(stdout)) || `sbatch exited with status ${status}`;
  const rollback = capturedCommands(records).get('rollback');
  return { ok: false, step, message: said, jobIds, rolledBack: rollback === undefined || rollback.status === 0 };
}

/** A job id, or an array task's (`123_4`: a point of a sweep resubmitted alone waits on its own task). */
function checkedJobId(jobId: string): string {
  if (!/^\d+(_\d+)?$/.test(jobId)) throw new FerryError('internal', `not a Slurm job id: ${JSON.stringify(jobId)}`);
  return jobId;
}
