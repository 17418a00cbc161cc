/**
 * The light poll, made while a client watches steps live: only those steps'
 * files on the login node (status.json, the size of log.txt, new
 * metrics.jsonl bytes), in one exec. It runs no squeue, sacct or scontrol on
 * purpose: those query slurmctld and slurmdbd, which every user of the
 * cluster shares, and a live log needs a poll about twice a second; reading
 * a few files costs only the SSH round trip and the login node's file
 * system. Job states keep coming from the full poll (poll-script.ts) on its
 * backoff rhythm, brought forward when these files show a step start or end.
 *
 * Records: `step INDEX LOG_SIZE METRICS_SIZE STATUS_B64 METRICS_B64` per step.
 */
import { stepFilesLines, type PollStepFiles } from './poll-script.js';
import { remoteScript } from './remote-script.js';

export function watchPollScript(nonce: string, steps: readonly PollStepFiles[]): string {
  return remoteScript(nonce, 'Ferry: read watched step files', stepFilesLines(steps));
}
