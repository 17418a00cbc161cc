/**
 * `sacct -X --parsable2 --noheader` output: the accounting database's word on
 * jobs that left squeue (squeue forgets a job MinJobAge after it ends). `-X`
 * keeps one line per job (no `.batch` / `.extern` steps); should a site's
 * sacct print them anyway, they are dropped here.
 */
import { slurmJob, type SlurmJob } from './slurm-job.js';

/** JobName and Comment are free text (ours never hold a `|`); Elapsed is read by nothing but kept for people reading the output. */
export const SACCT_FIELDS = 'JobID,JobName,State,ExitCode,Start,End,Elapsed,NodeList,Reason,Comment';
const FIELD_COUNT = 10;

export function parseSacct(text: string): SlurmJob[] {
  const jobs: SlurmJob[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split('|');
    if (fields.length !== FIELD_COUNT || !/^\d/.test(fields[0]!) || fields[0]!.includes('.')) continue;
    const [jobId, , state, exitCode, start, end, , nodes, reason] = fields as [string, string, string, string, string, string, string, string, string];
    jobs.push(slurmJob('sacct', { jobId, state, reason, start, end, nodes, exitCode }));
  }
  return jobs;
}

/** sacct on a cluster without slurmdbd: "Slurm accounting storage is disabled". */
export function isAccountingDisabled(stderr: string): boolean {
  return /accounting storage is disabled/i.test(stderr);
}
