/**
 * `scontrol show job [-o] ID`: `Key=Value` pairs per job (one line each with
 * `-o`, else spread over indented lines), straight from slurmctld. Used
 * without accounting, for what squeue does not print (the exit code). Values
 * may contain spaces (`Command=`, `WorkDir=`), so a value runs until the next
 * ` Key=`; the fields read here come before those.
 */
import { slurmJob, type SlurmJob } from './slurm-job.js';

const PAIR = /(?:^|\s)([A-Za-z][A-Za-z0-9_/:]*)=/g;

export function parseScontrolJobs(text: string): SlurmJob[] {
  return text
    .split(/\n(?=JobId=)/) // each job starts a line with JobId=; its other lines are indented
    .map((record) => parsePairs(record.replace(/\s*\n\s*/g, ' ')))
    .filter((pairs) => pairs.has('JobId') && pairs.has('JobState'))
    .map((pairs) =>
      slurmJob('scontrol', {
        jobId: jobIdOf(pairs),
        state: pairs.get('JobState')!,
        reason: pairs.get('Reason'),
        start: pairs.get('StartTime'),
        end: pairs.get('EndTime'),
        nodes: pairs.get('NodeList'),
        exitCode: pairs.get('ExitCode'),
        timeLimit: pairs.get('TimeLimit'),
        submit: pairs.get('SubmitTime'),
      }),
    );
}

/** squeue's spelling: `123_4` for an array task, `123_[5-9%2]` for pending ones. */
function jobIdOf(pairs: Map<string, string>): string {
  const array = pairs.get('ArrayJobId');
  const task = pairs.get('ArrayTaskId');
  if (!array || !task) return pairs.get('JobId')!;
  return /^\d+$/.test(task) ? `${array}_${task}` : `${array}_[${task}]`;
}

function parsePairs(line: string): Map<string, string> {
  const pairs = new Map<string, string>();
  const keys = [...line.matchAll(PAIR)];
  keys.forEach((match, index) => {
    const valueStart = match.index! + match[0].length;
    const valueEnd = index + 1 < keys.length ? keys[index + 1]!.index! : line.length;
    if (!pairs.has(match[1]!)) pairs.set(match[1]!, line.slice(valueStart, valueEnd).trim());
  });
  return pairs;
}
