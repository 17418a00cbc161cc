/**
 * Finds a run's jobs by name (`ferry-<runId>-<step>`), as the submit
 * script does before it submits: were they queued already by a submit whose
 * answer was lost (the connection dropped mid-exec)? squeue knows every job until MinJobAge after it ends; sacct, where
 * accounting is on, knows the rest (it only searches from a start time:
 * two days back is plenty for a submit that just happened).
 *
 * Records: `cmd squeue ...` (`ID|NAME|STATE` lines), `cmd sacct ...` (same).
 */
import { shellQuote } from '../remote/command-runner.js';
import type { CapturedCommand } from './remote-script.js';
import { splitState } from './slurm-job.js';

/** The captures `squeue` and `sacct` (where accounting is on) that `parseNamedJobs` reads; also part of the submit script. */
export function findJobsCommands(names: readonly string[], accounting: boolean): string[] {
  const nameList = shellQuote(`--name=${names.join(',')}`);
  return [
    `ferry_capture squeue squeue --noheader --me --states=all ${nameList} --format='%i|%j|%T'`,
    ...(accounting
      ? [`ferry_capture sacct sacct -X --parsable2 --noheader ${nameList} --starttime="$(date -d '2 days ago' +%Y-%m-%dT%H:%M:%S)" --format=JobID,JobName,State`]
      : []),
  ];
}

export interface NamedJob {
  jobId: string;
  name: string;
  state: string;
}

/** `ID|NAME|STATE` lines of both commands; throws when a command failed (nothing can be concluded). */
export function parseNamedJobs(commands: Map<string, CapturedCommand>): NamedJob[] {
  const jobs = new Map<string, NamedJob>();
  for (const name of ['squeue', 'sacct']) {
    const command = commands.get(name);
    if (!command) continue;
    if (command.status !== 0) throw new Error(`${name} failed: ${command.stderr.trim() || `exit status ${command.status}`}`);
    for (const line of command.stdout.split('\n')) {
      const [jobId, jobName, state] = line.trim().split('|');
      if (!jobId || !jobName || !state || jobId.includes('.')) continue;
      jobs.set(jobId, { jobId, name: jobName, state: splitState(state).state });
    }
  }
  return [...jobs.values()];
}
