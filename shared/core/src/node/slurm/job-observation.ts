/**
 * What one poll saw of a step, in Ferry's words, from two witnesses: the
 * step's status.json (written by the runtime on the compute node: the final
 * word on success and failure of the user's code) and Slurm's record of the
 * job (the final word on what happened around it: time limits, memory,
 * nodes, cancels). When Slurm cannot be asked, nothing is concluded: the step
 * keeps its state and only its log and metrics move on.
 */
import type { StepStatus } from '../targets/step-files.js';
import type { ActiveStep, StepObservation } from '../targets/target.js';
import { durationMinutes, formatMinutes, slurmTimeToIso, type SlurmJob } from './slurm-job.js';

/** What the poll learnt about a step's job. */
export type JobKnowledge =
  | { kind: 'known'; job: SlurmJob }
  /** The controller answered and has no record of the job (gone from squeue, no accounting). */
  | { kind: 'gone' }
  /** The controller could not be asked (squeue failed, the connection dropped): conclude nothing. */
  | { kind: 'unknown' };

export interface StepFiles {
  /** status.json as the runtime last wrote it; undefined before it wrote one. */
  status?: StepStatus;
  logSize: number;
  metrics: { data: Buffer; size: number };
}

export interface ObservationContext {
  /** The cluster's UTC offset (`date +%z`): Slurm prints local times without a zone. */
  utcOffset: string;
  /**
   * How long Slurm has shown this job ended while status.json is not final.
   * A shared file system may show the runtime's last write late (NFS caches
   * attributes for up to a minute), so such a job waits out a grace period
   * before Slurm's state alone decides.
   */
  endedWithoutStatusForMs: number;
}

/** How long a job may look ended before its final status.json shows up. */
export const STATUS_GRACE_MS = 60_000;
/** How long a job whose step got SIGTERM may look ended (not cancelled, not timed out) before that counts: a requeue pends again within a second. */
export const REQUEUE_GRACE_MS = 10_000;

const PENDING_STATES = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SPECIAL_EXIT', 'PREEMPTED', 'RESV_DEL_HOLD']);
const ACTIVE_STATES = new Set(['CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'STOPPED', 'SIGNALING', 'STAGE_OUT', 'RESIZING']);
const FAILED_STATES = new Set(['FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE']);

/** Slurm states after which the job will not run again. */
export function isEndedState(state: string): boolean {
  return state === 'COMPLETED' || state === 'CANCELLED' || FAILED_STATES.has(state);
}

type Verdict = Pick<StepObservation, 'state' | 'exitCode' | 'reason'>;

export function observeStep(active: ActiveStep, knowledge: JobKnowledge, files: StepFiles, context: ObservationContext): StepObservation {
  const job = knowledge.kind === 'known' ? knowledge.job : undefined;
  const verdict = decide(active, knowledge, files.status, context);
  const final = verdict.state !== 'queued' && verdict.state !== 'running';
  const started = job && (ACTIVE_STATES.has(job.state) || isEndedState(job.state));
  // The runtime's times are the step's own; Slurm's cover the set-up lines too, and only mean something once the job started.
  const startedAt = files.status?.startedAt ?? (started ? slurmTimeToIso(job.start, context.utcOffset) : undefined);
  const finishedAt = final ? (files.status?.finishedAt ?? (job ? slurmTimeToIso(job.end, context.utcOffset) : undefined)) : undefined;
  // squeue's %N, sacct's NodeList (a host list such as `gpu[01-02]` for a job on several nodes); else the node the
  // runtime found itself on, for a short job that left the queue before slurmdbd recorded it.
  const node = (started ? job.nodes : undefined) ?? files.status?.node;
  const exitCode = verdict.exitCode ?? (final ? (files.status?.exitCode ?? slurmExitCode(job)) : undefined);
  return {
    runId: active.runId,
    step: active.step,
    ...verdict,
    ...(exitCode !== undefined && { exitCode }),
    ...(startedAt && { startedAt }),
    ...(finishedAt && { finishedAt }),
    ...(node !== undefined && { node }),
    // Slurm keeps no restart count that outlives the job (sacct has none); the runtime's own record does.
    ...(files.status?.restarts !== undefined && { retries: files.status.restarts }),
    logSize: files.logSize,
    metrics: files.metrics,
  };
}

function decide(active: ActiveStep, knowledge: JobKnowledge, status: StepStatus | undefined, context: ObservationContext): Verdict {
  // The runtime reported the user's code succeeded or failed: nothing Slurm says changes that.
  if (status?.state === 'succeeded') return { state: 'succeeded' };
  if (status?.state === 'failed') return { state: 'failed', reason: runtimeFailure(status) };
  const unchanged: Verdict = { state: status ? 'running' : active.state };
  if (knowledge.kind === 'unknown') return unchanged;
  if (knowledge.kind === 'gone') return vanished(status);

  const job = knowledge.job;
  // The runtime got SIGTERM: from a cancel, or from Slurm at the time limit. Slurm's final state says which.
  if (status?.state === 'cancelled') {
    if (!isEndedState(job.state)) return { state: 'running' };
    if (job.state === 'TIMEOUT') return { state: 'failed', reason: slurmFailure(job) };
    if (job.state === 'CANCELLED') return { state: 'cancelled', reason: cancelledOutside(job) };
    // Neither scancel nor the time limit: a job requeued (preempted, scontrol requeue) passes through such a state and pends again.
    if (context.endedWithoutStatusForMs < REQUEUE_GRACE_MS) return { state: 'running' };
    return { state: 'cancelled', reason: 'the step process was sent SIGTERM' };
  }
  if (job.state === 'CANCELLED' && neverSatisfiable(job)) {
    // Slurm cancelled it because an upstream step failed: the engine skips it and names that step.
    return { state: 'queued', reason: `${job.state}: an upstream step did not succeed (${job.reason})` };
  }
  if (PENDING_STATES.has(job.state)) return { state: 'queued', reason: pendingReason(job) };
  if (ACTIVE_STATES.has(job.state)) {
    return job.state === 'RUNNING' || job.state === 'CONFIGURING' || job.state === 'COMPLETING'
      ? { state: 'running' }
      : { state: 'running', reason: `${job.state} in Slurm` };
  }
  if (job.state === 'CANCELLED') return { state: 'cancelled', reason: cancelledOutside(job) };
  // A set-up line failed: the runtime never started, and nothing will write status.json.
  if (job.state === 'FAILED' && !status) return { state: 'failed', reason: slurmFailure(job) };
  if (job.state === 'COMPLETED' || job.state === 'FAILED') {
    if (context.endedWithoutStatusForMs < STATUS_GRACE_MS) return { state: 'running' };
    if (job.state === 'FAILED') return { state: 'failed', reason: slurmFailure(job) };
    return {
      state: 'failed',
      reason: status
        ? 'COMPLETED: the job ended but the step never reported its result (status.json still says running)'
        : 'COMPLETED: the job ended but the step never started (did a set-up line end the batch script?)',
    };
  }
  if (FAILED_STATES.has(job.state)) return { state: 'failed', reason: slurmFailure(job) };
  return unchanged; // a state this version does not know: wait for one it does
}

/** Cancelled by `--kill-on-invalid-dep` (squeue: DependencyNeverSatisfied; sacct: no "by UID", reason Dependency). */
function neverSatisfiable(job: SlurmJob): boolean {
  if (job.reason === 'DependencyNeverSatisfied') return true;
  return job.source === 'sacct' && job.stateDetail === undefined && job.reason?.startsWith('Dependency') === true;
}

const PENDING_REASONS: Record<string, string> = {
  Dependency: 'waiting for upstream steps',
  Resources: 'waiting for free resources',
  Priority: 'jobs with a higher priority go first',
  BeginTime: 'waiting for its begin time',
  JobHeldUser: 'held by the user',
  JobHeldAdmin: 'held by an administrator',
  JobArrayTaskLimit: "waiting for a free slot of its sweep (the sweep's max parallel points are running)",
  ReqNodeNotAvail: 'the requested nodes are not available',
  PartitionDown: 'the partition is down',
  PartitionInactive: 'the partition is inactive',
};

function pendingReason(job: SlurmJob): string {
  const explained = job.reason && PENDING_REASONS[job.reason];
  if (!job.reason) return job.state;
  return `${job.state} (${job.reason})${explained ? `: ${explained}` : ''}`;
}

function slurmFailure(job: SlurmJob): string {
  switch (job.state) {
    case 'TIMEOUT': {
      const minutes = durationMinutes(job.timeLimit);
      return `TIMEOUT: the step ran past its time limit${minutes === undefined ? '' : ` (${formatMinutes(minutes)})`}`;
    }
    case 'OUT_OF_MEMORY':
      return 'OUT_OF_MEMORY: the step used more memory than the job asked for (raise it with a mem: tag)';
    case 'NODE_FAIL':
      return `NODE_FAIL: the node running the step failed${job.nodes ? ` (${job.nodes})` : ''}`;
    case 'BOOT_FAIL':
      return 'BOOT_FAIL: the node allocated to the step failed to boot';
    case 'DEADLINE':
      return 'DEADLINE: the job reached its deadline before it finished';
    default: {
      const code = job.exitCode ? ` with exit code ${job.exitCode.code}${job.exitCode.signal ? ` (signal ${job.exitCode.signal})` : ''}` : '';
      return `${job.state}: the batch job ended${code} before the step reported; a set-up line may have failed, see the step's log`;
    }
  }
}

function cancelledOutside(job: SlurmJob): string {
  return `${job.state}${job.stateDetail ? ` ${job.stateDetail}` : ''}: the job was cancelled outside Ferry`;
}

/** The job left Slurm's records (accounting off, MinJobAge passed) without a final success or failure in status.json. */
function vanished(status: StepStatus | undefined): Verdict {
  if (status?.state === 'cancelled') {
    return { state: 'cancelled', reason: 'the step process was sent SIGTERM (a cancel or the time limit; without accounting Slurm keeps no record of which)' };
  }
  return status
    ? { state: 'failed', reason: 'the job left the Slurm queue while the step still reported running (killed?); without accounting Slurm keeps no record of why' }
    : { state: 'cancelled', reason: 'the job left the Slurm queue before the step started (cancelled outside Ferry?)' };
}

function runtimeFailure(status: StepStatus): string {
  const error = status.error;
  if (error?.type || error?.message) {
    const where = typeof error.cell === 'number' ? ` (cell ${error.cell})` : '';
    return `${error.type ?? 'Error'}: ${error.message ?? ''}${where}`;
  }
  return typeof status.exitCode === 'number' ? `the step exited with code ${status.exitCode}` : 'the step failed';
}

/** A signal-killed job's code the way a shell reports it (128 + signal). */
function slurmExitCode(job: SlurmJob | undefined): number | undefined {
  if (!job?.exitCode) return undefined;
  return job.exitCode.signal ? 128 + job.exitCode.signal : job.exitCode.code;
}
