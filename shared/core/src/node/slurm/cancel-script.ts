/**
 * Cancels jobs with one `scancel` of all their ids, then waits (at most
 * `waitSeconds`, in the same exec) until squeue no longer lists any of them
 * as pending or running, so "cancelled" in Ferry means gone from the queue.
 * Jobs that already ended are fine: scancel's complaint about them is not a
 * failure.
 *
 * Records: `cmd scancel ...`, then `cmd remaining ...` (squeue's list of
 * jobs still there when the wait ended).
 */
import { shellQuote } from '../remote/command-runner.js';
import { lastLines, type CapturedCommand } from './remote-script.js';
import { remoteScript } from './remote-script.js';

export function cancelScript(nonce: string, jobIds: readonly string[], waitSeconds: number): string {
  const ids = jobIds.map(shellQuote).join(' ');
  const jobs = shellQuote(`--jobs=${jobIds.join(',')}`);
  const body = [
    `ferry_capture scancel scancel ${ids}`,
    `for ferry_try in $(seq ${Math.max(1, Math.round(waitSeconds * 2))}); do`,
    `  [ -z "$(squeue --noheader ${jobs} --format=%i 2>/dev/null)" ] && break`,
    '  sleep 0.5',
    'done',
    `ferry_capture remaining squeue --noheader ${jobs} --format=%i`,
  ];
  return remoteScript(nonce, 'Ferry: cancel jobs', body);
}

/** scancel's words for jobs that were already over: not an error when cancelling. */
export function scancelFailure(scancel: CapturedCommand | undefined): string | undefined {
  if (!scancel || scancel.status === 0) return undefined;
  const complaints = scancel.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .filter((line) => !/already completing or completed|Invalid job id specified/i.test(line));
  return complaints.length > 0 ? lastLines(complaints.join('\n')) : undefined;
}
