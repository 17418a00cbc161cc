/**
 * squeue's plain-text output in a format of our own: fields joined by `|`
 * (no Slurm field contains one), no header. Text rather than `--json`: it
 * works on every Slurm version, and 22.05's JSON (OpenAPI v0.0.38) carries
 * nothing more that the monitor needs.
 */
import { slurmJob, type SlurmJob } from './slurm-job.js';

/**
 * id, state (long form), reason, time used, time limit, start, end, nodes,
 * then comment and name last: they are free text (ours never hold a `|`).
 */
export const SQUEUE_FORMAT = '%i|%T|%r|%M|%l|%S|%e|%N|%k|%j';
const FIELD_COUNT = 10;

export function parseSqueue(text: string): SlurmJob[] {
  const jobs: SlurmJob[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split('|');
    if (fields.length < FIELD_COUNT || !/^\d/.test(fields[0]!)) continue; // a banner or warning line
    const [jobId, state, reason, , timeLimit, start, end, nodes] = fields as [string, string, string, string, string, string, string, string];
    jobs.push(slurmJob('squeue', { jobId, state, reason, timeLimit, start, end, nodes }));
  }
  return jobs;
}

/**
 * squeue asked about one job id Slurm has forgotten exits 1 with this
 * message (22.05; with several ids it silently lists the known ones): it
 * means "not in the queue", not a failure of the controller.
 */
export function isInvalidJobIdError(stderr: string): boolean {
  return /Invalid job id specified/i.test(stderr);
}
