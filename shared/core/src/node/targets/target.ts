/**
 * The one interface every backend implements (local now; Slurm and
 * Kubernetes later). The engine owns the state machine and the store; a
 * target only stages files, starts and cancels jobs, and reports what it
 * observes. Status tracking is batched: the monitor asks about *all* active
 * steps of a target in one `poll` (one `squeue`/`sacct` over SSH, one list of
 * Kubernetes Jobs), never one call per step.
 */
import type { TargetCheck, TargetInfo } from '../../api/contract.js';
import type { Run, RunWithSpec } from '../../run.js';
import type { Sweep } from '../../sweeps/sweep.js';
import type { PollPolicy } from '../monitor/poll-loop.js';

export type TargetType = TargetInfo['type'];

/** A step the target has started and the store does not yet consider finished. */
export interface ActiveStep {
  runId: string;
  runDir: string;
  step: string;
  jobId: string;
  /** The step's state in the store: what an observation repeats when the backend could not be asked. */
  state: 'queued' | 'running';
  /** Bytes of log.txt the engine has already announced. */
  logOffset: number;
  /** Bytes of metrics.jsonl the engine has already stored. */
  metricsOffset: number;
}

/** What one poll saw of one active step. */
export interface StepObservation {
  runId: string;
  step: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  exitCode?: number;
  /** Why it failed, in words (the Python exception, a signal, ...). */
  reason?: string;
  /** ISO-8601 UTC, as the step reported it. */
  startedAt?: string;
  finishedAt?: string;
  /** The machine the step runs (or ran) on, once the backend has placed it. */
  node?: string;
  /** How often the backend started the step again after a failed attempt (a lost node, an evicted pod). */
  retries?: number;
  /** Current size of log.txt (0 while it does not exist). */
  logSize: number;
  /**
   * New bytes of metrics.jsonl from `metricsOffset`, possibly ending in a
   * partial line, and the file's size: a chunk shorter than `size - offset`
   * was capped, and the rest comes with the next poll.
   */
  metrics: { data: Buffer; size: number };
}

/** What a light poll saw of a watched step: its files only (the scheduler was not asked). */
export interface StepFilesObservation {
  runId: string;
  step: string;
  /** status.json's state as the runtime last wrote it; undefined before it wrote one. */
  status?: 'running' | 'succeeded' | 'failed' | 'cancelled';
  logSize: number;
  /** As in StepObservation. */
  metrics: { data: Buffer; size: number };
}

export type StartOutcome =
  | { ok: true; jobId: string; state: 'queued' | 'running'; startedAt?: string }
  | { ok: false; reason: string };

export interface LogRange {
  data: Buffer;
  /** Where `data` starts. */
  offset: number;
  /** Size of the whole log when read. */
  size: number;
}

export interface Target {
  readonly name: string;
  readonly type: TargetType;
  /** One line for people, e.g. "this machine, 4 steps at once". */
  readonly description: string;
  /**
   * Steps of this target that may run at once; the engine keeps the rest
   * 'queued' until a slot frees. Undefined when the backend queues work
   * itself (Slurm, Kubernetes).
   */
  readonly maxParallel?: number;
  /**
   * The backend chains steps itself (Slurm's `--dependency=afterok`): the
   * engine hands it every step of a run at once, in topological order, as
   * soon as the run is staged — not each step when its upstream steps
   * succeeded. A submitted step whose upstream step fails is then skipped by
   * the engine, which cancels its job.
   */
  readonly submitsWholeDag?: boolean;
  /** The monitor's rhythm for a backend where each poll is a round trip; absent: the engine's interval. */
  readonly pollPolicy?: PollPolicy;

  /**
   * For a target that learns of changes without being asked (a child process
   * exiting): the monitor passes a callback that makes it poll at once, so a
   * finished step does not wait out the poll interval.
   */
  onActivity?(listener: () => void): void;
  /** For problems that fail no step but a person should know of (a scheduler that does not answer). */
  onWarning?(listener: (message: string) => void): void;

  /** What `ferry targets test` checks: reachability, scheduler, Python. */
  check?(): Promise<TargetCheck[]>;

  /** Where the run's files live on the target (a remote target may have to ask where its home is first). */
  runDir(runId: string): string | Promise<string>;
  /** Stages the run directory (spec.json, params.json, ferry_runtime.py, steps/<s>/). */
  stage(run: RunWithSpec): Promise<void>;
  /**
   * Starts the given steps (all their dependencies succeeded; with
   * `submitsWholeDag`, all their dependencies succeeded or were started);
   * one outcome per step.
   */
  start(run: RunWithSpec, steps: string[]): Promise<Record<string, StartOutcome>>;
  /** One round trip for all active steps of this target; one observation per step given. */
  poll(active: ActiveStep[]): Promise<StepObservation[]>;
  /**
   * A light poll for steps a client watches live: their log sizes, new
   * metrics bytes and status.json, in one round trip, without asking the
   * scheduler. The monitor makes it between full polls while someone
   * watches; a target without it gets full polls at the watched rhythm.
   */
  pollFiles?(steps: ActiveStep[]): Promise<StepFilesObservation[]>;
  /** Stops the given started steps and waits until they are gone. */
  cancel(run: Run, steps: string[]): Promise<void>;

  /**
   * Stages every point of a sweep (each a run directory, as `stage` makes
   * it) in one transfer. Without the sweep methods, a target runs a sweep's
   * points as runs of their own: the engine stages each, and keeps at most
   * the sweep's maxParallel of them going.
   */
  stageSweep?(sweep: Sweep, points: RunWithSpec[]): Promise<void>;
  /**
   * Starts every step of the given points (none started yet) at once, e.g.
   * one Slurm job array per step, the target keeping to the sweep's
   * maxParallel; one outcome per point (by run id) and step.
   */
  startSweep?(sweep: Sweep, points: RunWithSpec[]): Promise<Record<string, Record<string, StartOutcome>>>;
  /** Stops the given started steps of several runs (a cancelled sweep) together; absent: `cancel` per run. */
  cancelRuns?(runs: { run: Run; steps: string[] }[]): Promise<void>;
  /** A byte range of a step's log.txt; `data` is at most `maxBytes` long. */
  readLog(run: Run, step: string, offset: number, maxBytes: number): Promise<LogRange>;
  /**
   * A whole file of the run directory, e.g. `steps/train/executed.ipynb`.
   * `relativePath` must pass `checkRunFilePath` (run-files.ts; the target
   * checks it again). Fails with 'not-found' when the file does not exist,
   * 'conflict' when it is larger than `maxBytes`, 'request' when it leads
   * outside the run directory.
   */
  readRunFile(run: Run, relativePath: string, maxBytes: number): Promise<Buffer>;
  /** Releases connections and timers; never stops running steps. */
  dispose(): Promise<void>;
}
