/**
 * The poll script's records (poll-script.ts) as per-job knowledge and
 * per-step files. The rule that matters: a job is only ever "gone" when the
 * controller answered and has no record of it; a command that failed for any
 * other reason (slurmctld or slurmdbd down, a timeout) makes its jobs
 * "unknown", and an unknown job's step keeps its state.
 */
import type { StepStatus } from '../targets/step-files.js';
import type { JobKnowledge, StepFiles } from './job-observation.js';
import { capturedCommands, decodeBytes, type CapturedCommand, type ScriptRecord } from './remote-script.js';
import { isAccountingDisabled, parseSacct } from './sacct-parsable.js';
import { parseScontrolJobs } from './scontrol-job.js';
import { arrayJobId, newestRecords, type SlurmJob } from './slurm-job.js';
import { isInvalidJobIdError, parseSqueue } from './squeue-text.js';
import { isEndedState } from './job-observation.js';

export interface PollResult {
  jobs: Map<string, JobKnowledge>;
  /** In the order the steps were given to the script. */
  files: StepFiles[];
  /** sacct said accounting is disabled although the probe found it on: probe again. */
  accountingOff: boolean;
  /** Why some jobs are unknown, for a warning; undefined when Slurm answered every question. */
  problem?: string;
}

export function parsePollRecords(records: readonly ScriptRecord[], jobIds: readonly string[], stepCount: number): PollResult {
  const commands = capturedCommands(records);
  const squeue = commands.get('squeue');
  const squeueAnswered = squeue !== undefined && (squeue.status === 0 || isInvalidJobIdError(squeue.stderr));
  const queued = squeueAnswered && squeue.status === 0 ? newestRecords(parseSqueue(squeue.stdout)) : new Map<string, SlurmJob>();
  const sacct = commands.get('sacct');
  const sacctAnswered = sacct?.status === 0;
  const accounted = sacctAnswered ? newestRecords(parseSacct(sacct.stdout)) : new Map<string, SlurmJob>();
  const problems = [
    !squeueAnswered && `squeue failed: ${firstLine(squeue)}`,
    sacct && !sacctAnswered && `sacct failed: ${firstLine(sacct)}`,
  ].filter((problem): problem is string => typeof problem === 'string');

  // scontrol's answers by the id asked (an array task's array id: every task of the array is in one answer).
  const controlled = new Map<string, Map<string, SlurmJob>>();
  const scontrolRecord = (askedId: string, jobId: string, scontrol: CapturedCommand) => {
    if (!controlled.has(askedId)) controlled.set(askedId, newestRecords(parseScontrolJobs(scontrol.stdout)));
    return controlled.get(askedId)!.get(jobId);
  };

  const jobs = new Map<string, JobKnowledge>();
  for (const jobId of jobIds) {
    const inQueue = queued.get(jobId);
    if (inQueue && !isEndedState(inQueue.state)) {
      jobs.set(jobId, { kind: 'known', job: inQueue });
      continue;
    }
    // Ended or not listed: the accounting record (or slurmctld's) has the exit code.
    const scontrol = commands.get(`scontrol:${arrayJobId(jobId)}`);
    const detail = accounted.get(jobId) ?? (scontrol?.status === 0 ? scontrolRecord(arrayJobId(jobId), jobId, scontrol) : undefined);
    if (detail) {
      // squeue's fields fill what the other record lacks (sacct prints no time limit).
      jobs.set(jobId, { kind: 'known', job: { ...inQueue, ...detail } });
    } else if (inQueue) {
      jobs.set(jobId, { kind: 'known', job: inQueue });
    } else if (squeueAnswered && (sacct ? sacctAnswered : scontrol !== undefined && isInvalidJobIdError(scontrol.stderr))) {
      jobs.set(jobId, { kind: 'gone' });
    } else {
      if (scontrol && scontrol.status !== 0 && !isInvalidJobIdError(scontrol.stderr)) problems.push(`scontrol failed: ${firstLine(scontrol)}`);
      jobs.set(jobId, { kind: 'unknown' });
    }
  }

  return {
    jobs,
    files: parseStepFiles(records, stepCount),
    accountingOff: sacct !== undefined && !sacctAnswered && isAccountingDisabled(sacct.stderr),
    ...(problems.length > 0 && { problem: [...new Set(problems)].join('; ') }),
  };
}

/** The `step` records (poll-script.ts, stepFilesLines), in the order the steps were given; a step without one reads as empty. */
export function parseStepFiles(records: readonly ScriptRecord[], stepCount: number): StepFiles[] {
  const files: StepFiles[] = Array.from({ length: stepCount }, () => ({ logSize: 0, metrics: { data: Buffer.alloc(0), size: 0 } }));
  for (const record of records) {
    if (record.kind !== 'step') continue;
    const [index, logSize, metricsSize, status, metrics] = record.fields;
    const slot = Number(index);
    if (!Number.isInteger(slot) || slot < 0 || slot >= stepCount) continue;
    const parsed = parseStatus(decodeBytes(status));
    files[slot] = {
      ...(parsed && { status: parsed }),
      logSize: Number(logSize) || 0,
      metrics: { data: decodeBytes(metrics), size: Number(metricsSize) || 0 },
    };
  }
  return files;
}

/** status.json as the runtime wrote it; undefined when missing or not the runtime's (it writes atomically). */
function parseStatus(bytes: Buffer): StepStatus | undefined {
  if (bytes.length === 0) return undefined;
  try {
    const status = JSON.parse(bytes.toString('utf8')) as StepStatus;
    return typeof status === 'object' && status !== null && typeof status.state === 'string' ? status : undefined;
  } catch {
    return undefined;
  }
}

function firstLine(command: CapturedCommand | undefined): string {
  if (!command) return 'it did not run';
  return command.stderr.trim().split('\n')[0] || `exit status ${command.status}`;
}
