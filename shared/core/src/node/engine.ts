/**
 * The run engine: the one object the server uses. It submits runs to
 * targets, schedules their steps along the DAG, monitors them (one loop per
 * target) and answers questions from the store. Closing it leaves running
 * steps alone; opening a new engine on the same store resumes them.
 */
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import type { TargetInfo, TargetTestResponse } from '../api/contract.js';
import { FerryError } from '../errors.js';
import { isFinalRunState, isFinalStepState, type MetricSeries, type Run, type RunWithSpec, type StateChange, type StepRun } from '../run.js';
import { SPEC_VERSION, type JsonValue, type PipelineSpec, type StepMode } from '../spec.js';
import { MAX_SWEEP_POINTS, type Sweep, type SweepDefinition } from '../sweeps/sweep.js';
import { loadConfig, type FerryConfig } from './config.js';
import { RunComparison } from './compare/run-comparison.js';
import type { RunEngineEvents } from './events.js';
import { TargetMonitor } from './monitor/target-monitor.js';
import type { FerryPaths } from './paths.js';
import { PromptBroker } from './prompts.js';
import { RunRecorder } from './recorder.js';
import { newRunId, newSweepId } from './store/run-id.js';
import { RunStore, type ListRunsOptions } from './store/run-store.js';
import { createTargets, type TargetOptions } from './targets/create.js';
import { executedNotebookPath } from './targets/run-files.js';
import type { LogRange, Target } from './targets/target.js';

/** Most bytes one readLog returns; clients page through bigger logs. */
export const MAX_LOG_READ = 8 * 1024 * 1024;
/** The largest executed notebook served (plots make them big; the API answers it in one piece). */
export const MAX_NOTEBOOK_READ = 64 * 1024 * 1024;

export interface RunEngineOptions {
  paths: FerryPaths;
  /** Defaults to `loadConfig(paths)`. */
  config?: FerryConfig;
  /** Base interval of the local target's monitor loop (default 250 ms). */
  pollIntervalMs?: number;
  /** Time between SIGTERM and SIGKILL when cancelling local steps (default 5 s). */
  cancelGraceMs?: number;
  /** Slurm targets' polling rhythm and cancel wait (defaults: 2 s to 60 s, 30 s). */
  slurm?: TargetOptions['slurm'];
  /** Kubernetes targets' polling rhythm and cancel wait, and a test's own client. */
  kubernetes?: TargetOptions['kubernetes'];
}

export interface SubmitInput {
  notebookPath: string;
  spec: PipelineSpec;
  target: string;
  mode: StepMode;
  /** Every parameter's value, already resolved and validated by the caller. */
  parameters: Record<string, JsonValue>;
}

export interface SubmitSweepInput extends Omit<SubmitInput, 'parameters'> {
  /** How the points were chosen, kept with the sweep. */
  definition: SweepDefinition;
  /** Every parameter's value for each point, in point order, resolved and validated by the caller (planSweep). */
  points: Record<string, JsonValue>[];
}

/** A sweep with its points in index order. */
export interface SweepWithRuns {
  sweep: Sweep;
  runs: Run[];
}

export class RunEngine extends EventEmitter<RunEngineEvents> {
  private readonly recorder: RunRecorder;
  private readonly monitors = new Map<string, TargetMonitor>();
  /** Cancels still stopping processes; close() waits for them. */
  private readonly cancelling = new Set<Promise<void>>();
  private closed: Promise<void> | undefined;

  /** Opens the store, builds the configured targets and resumes unfinished runs. */
  static async open(options: RunEngineOptions): Promise<RunEngine> {
    const config = options.config ?? loadConfig(options.paths);
    const store = RunStore.open(options.paths.dbFile);
    const prompts = new PromptBroker();
    const targets = createTargets(config, options.paths, {
      prompts,
      ...(options.cancelGraceMs !== undefined && { cancelGraceMs: options.cancelGraceMs }),
      ...(options.slurm && { slurm: options.slurm }),
      ...(options.kubernetes && { kubernetes: options.kubernetes }),
    });
    const engine = new RunEngine(store, targets, config, prompts, options.pollIntervalMs ?? 250);
    engine.resume();
    return engine;
  }

  private constructor(
    private readonly store: RunStore,
    private readonly targetsByName: Map<string, Target>,
    /** The config the targets were built from: where each sends its work, for comparisons. */
    private readonly config: FerryConfig,
    /** Questions targets need a person to answer (SSH prompts, new host keys); the server relays them. */
    readonly prompts: PromptBroker,
    pollIntervalMs: number,
  ) {
    super();
    this.recorder = new RunRecorder(store, this);
    for (const [name, target] of targetsByName) {
      this.monitors.set(name, new TargetMonitor(target, this.recorder, { intervalMs: pollIntervalMs }));
    }
  }

  targets(): TargetInfo[] {
    return [...this.targetsByName.values()].map(({ name, type, description }) => ({ name, type, description }));
  }

  /** Runs a target's checks; every failed one says what to fix. */
  async testTarget(name: string): Promise<TargetTestResponse> {
    this.assertOpen();
    const target = this.target(name);
    const checks = target.check
      ? await target.check()
      : [{ name: 'checks', ok: true, detail: `targets of type ${target.type} have no checks yet`, optional: true }];
    return { target: name, ok: checks.every((c) => c.ok || c.optional), checks };
  }

  /** Records the run, stages its files on the target and lets the target's monitor start it. */
  async submit(input: SubmitInput): Promise<Run> {
    const target = this.submissionTarget(input);
    const draft = await this.draft(target, input, this.unusedRunId(), input.parameters);
    // Staged before it is recorded: the monitor starts steps of any recorded
    // run, so it must never see one whose files are not there yet.
    await this.staging(target, 'the run', () => target.stage(draft));
    this.recorder.created(draft);
    this.monitors.get(target.name)!.wake();
    return this.store.getRun(draft.id);
  }

  /**
   * Records a sweep: one run per point (all staged first, in one transfer
   * where the target can), recorded together so the monitor starts them
   * together, at most the sweep's maxParallel points at a time.
   */
  async submitSweep(input: SubmitSweepInput): Promise<SweepWithRuns> {
    const target = this.submissionTarget(input);
    if (input.points.length === 0 || input.points.length > MAX_SWEEP_POINTS) {
      throw new FerryError('parameter', `a sweep has 1 to ${MAX_SWEEP_POINTS} points, got ${input.points.length}`);
    }
    const id = this.unusedId(newSweepId, (candidate) => this.store.hasSweep(candidate));
    const taken = new Set<string>();
    const points: RunWithSpec[] = [];
    for (const [index, parameters] of input.points.entries()) {
      const runId = this.unusedId(newRunId, (candidate) => taken.has(candidate) || this.store.hasRun(candidate));
      taken.add(runId);
      points.push({ ...(await this.draft(target, input, runId, parameters)), sweepId: id, sweepIndex: index });
    }
    const record = { id, pipeline: input.spec.name, notebookPath: resolve(input.notebookPath), target: target.name, mode: input.mode, definition: input.definition };
    const sweep: Sweep = { ...record, ...input.definition, createdAt: new Date().toISOString(), size: points.length };
    await this.staging(target, 'the sweep', async () => {
      if (target.stageSweep) await target.stageSweep(sweep, points);
      else for (const point of points) await target.stage(point);
    });
    this.recorder.createdSweep(record, points);
    this.monitors.get(target.name)!.wake();
    return this.sweepWithRuns(id);
  }

  /**
   * Cancels a run: steps not started become 'cancelled' at once, started
   * ones are stopped (their process groups, locally) before this resolves.
   */
  async cancel(runId: string): Promise<Run> {
    this.assertOpen();
    const run = this.store.getRun(runId);
    if (isFinalRunState(run.state)) throw new FerryError('conflict', `run ${runId} has already ${finishedVerb(run.state)}`);
    const target = this.target(run.target);
    const started = this.recordCancel(run);
    if (started.length > 0) await this.stopping(target.cancel(this.store.getRun(runId), started));
    return this.store.getRun(runId);
  }

  /** Cancels every point of a sweep that has not finished, stopping their started steps together. */
  async cancelSweep(sweepId: string): Promise<SweepWithRuns> {
    this.assertOpen();
    const { sweep, runs } = this.sweepWithRuns(sweepId);
    const open = runs.filter((run) => !isFinalRunState(run.state));
    if (open.length === 0) throw new FerryError('conflict', `every point of sweep ${sweepId} has already finished`);
    const target = this.target(sweep.target);
    const stops = open
      .map((run) => ({ id: run.id, steps: this.recordCancel(run) }))
      .filter(({ steps }) => steps.length > 0)
      .map(({ id, steps }) => ({ run: this.store.getRun(id), steps }));
    if (stops.length > 0) {
      await this.stopping(target.cancelRuns ? target.cancelRuns(stops) : Promise.all(stops.map(({ run, steps }) => target.cancel(run, steps))).then(() => undefined));
    }
    return this.sweepWithRuns(sweepId);
  }

  async getSweep(id: string): Promise<SweepWithRuns> {
    this.assertOpen();
    return this.sweepWithRuns(id);
  }

  /** Newest first. */
  async listSweeps(options: { limit: number } = { limit: 50 }): Promise<Sweep[]> {
    this.assertOpen();
    return this.store.listSweeps(options);
  }

  async getRun(id: string): Promise<Run> {
    this.assertOpen();
    return this.store.getRun(id);
  }

  async getRunWithSpec(id: string): Promise<RunWithSpec> {
    this.assertOpen();
    return this.store.getRunWithSpec(id);
  }

  /** Newest first. */
  async listRuns(options: ListRunsOptions = { limit: 50 }): Promise<Run[]> {
    this.assertOpen();
    return this.store.listRuns(options);
  }

  async getMetrics(runId: string): Promise<MetricSeries[]> {
    this.assertOpen();
    return this.store.getMetrics(runId);
  }

  /** Runs side by side and their downsampled metric histories (node/compare). */
  comparison(): RunComparison {
    this.assertOpen();
    return new RunComparison(this.store, this.config.targets);
  }

  async stateChanges(runId: string): Promise<StateChange[]> {
    this.assertOpen();
    this.store.getRun(runId); // 'not-found' for an unknown run
    return this.store.stateChanges(runId);
  }

  /** A byte range of a step's log, read from the target (at most MAX_LOG_READ bytes); `size` is the whole log's. */
  async readLog(runId: string, step: string, offset: number, maxBytes: number): Promise<LogRange> {
    this.assertOpen();
    const run = this.store.getRun(runId);
    stepRunOf(run, step);
    return this.target(run.target).readLog(run, step, offset, Math.max(0, Math.min(maxBytes, MAX_LOG_READ)));
  }

  /**
   * The executed notebook of a notebook-mode step (nbformat JSON bytes as the
   * runtime saved them), read from the run's target, wherever it is. A run in
   * script mode, a step that has not ended, and a notebook larger than
   * MAX_NOTEBOOK_READ are errors that say so.
   */
  async readExecutedNotebook(runId: string, step: string): Promise<Buffer> {
    this.assertOpen();
    const run = this.store.getRun(runId);
    const stepRun = stepRunOf(run, step);
    if (run.mode !== 'notebook') {
      throw new FerryError('not-found', `run ${runId} ran in ${run.mode} mode, which keeps no executed notebook; run it with --mode notebook to get one`, { step });
    }
    const target = this.target(run.target);
    try {
      return await target.readRunFile(run, executedNotebookPath(step), MAX_NOTEBOOK_READ);
    } catch (error) {
      if (!(error instanceof FerryError) || error.category !== 'not-found') throw error;
      throw new FerryError('not-found', `step "${step}" of run ${runId} has no executed notebook: ${whyNoNotebook(runId, stepRun)}`, { step });
    }
  }

  /**
   * A client follows a run live (one step's log, or with no step every step's
   * log and metrics): until it calls the returned release, the run's target
   * is polled within about half a second rather than on its backoff rhythm.
   * Watches are counted; each must be released once (releasing twice is harmless).
   */
  watch(runId: string, step?: string): () => void {
    this.assertOpen();
    const run = this.store.getRun(runId);
    const monitor = this.monitors.get(run.target);
    return monitor ? monitor.watch(runId, step) : () => {};
  }

  /** Stops monitoring and closes the store. Running steps keep running; a new engine resumes them. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.monitors.values()].map((monitor) => monitor.stop()));
      await Promise.allSettled(this.cancelling);
      await Promise.all([...this.targetsByName.values()].map((target) => target.dispose()));
      this.store.close();
    })();
    return this.closed;
  }

  /** The target of a new run or sweep, once the spec is one this engine runs. */
  private submissionTarget(input: Pick<SubmitInput, 'spec' | 'target'>): Target {
    this.assertOpen();
    const target = this.target(input.target);
    if (input.spec.specVersion !== SPEC_VERSION) {
      throw new FerryError('pipeline', `spec version ${String(input.spec.specVersion)} is not supported (expected ${SPEC_VERSION})`);
    }
    if (input.spec.steps.length === 0) throw new FerryError('pipeline', `pipeline "${input.spec.name}" has no steps to run`);
    return target;
  }

  /** A run as it will be recorded, with its directory on the target. */
  private async draft(target: Target, input: Omit<SubmitInput, 'parameters'>, id: string, parameters: Record<string, JsonValue>): Promise<RunWithSpec> {
    let runDir: string;
    try {
      runDir = await target.runDir(id);
    } catch (error) {
      throw new FerryError('target', `could not reach target "${target.name}": ${(error as Error).message}`);
    }
    return {
      id,
      pipeline: input.spec.name,
      notebookPath: resolve(input.notebookPath),
      target: target.name,
      mode: input.mode,
      state: 'queued',
      parameters,
      createdAt: new Date().toISOString(),
      runDir,
      steps: input.spec.steps.map((step) => ({ name: step.name, state: 'waiting', logOffset: 0, metricsOffset: 0 })),
      spec: input.spec,
    };
  }

  private async staging(target: Target, what: string, stage: () => Promise<void>): Promise<void> {
    try {
      await stage();
    } catch (error) {
      throw new FerryError('target', `could not stage ${what} on target "${target.name}": ${(error as Error).message}`);
    }
  }

  /**
   * Marks the run and its unfinished steps cancelled and returns the steps
   * that were started (their jobs still to stop). The store first: the
   * monitor ignores steps that are final there, so it cannot report a killed
   * step as failed while the kill is under way.
   */
  private recordCancel(run: Run): string[] {
    const now = new Date().toISOString();
    const started = run.steps.filter((step) => !isFinalStepState(step.state) && step.jobId !== undefined).map((step) => step.name);
    for (const step of run.steps) {
      if (isFinalStepState(step.state)) continue;
      const wasStarted = started.includes(step.name);
      this.recorder.step(run.id, step.name, {
        state: 'cancelled',
        reason: wasStarted ? 'cancelled by the user' : 'cancelled before it started',
        ...(wasStarted && { finishedAt: now }),
      });
    }
    this.recorder.run(run.id, { state: 'cancelled', finishedAt: now, reason: 'cancelled by the user' });
    return started;
  }

  /** Waits for a target's cancel; close() waits for it too. */
  private async stopping(cancel: Promise<void>): Promise<void> {
    this.cancelling.add(cancel);
    try {
      await cancel;
    } finally {
      this.cancelling.delete(cancel);
    }
  }

  private sweepWithRuns(id: string): SweepWithRuns {
    const sweep = this.store.getSweep(id);
    return { sweep, runs: this.store.listRuns({ sweepId: id, limit: sweep.size }) };
  }

  /** Reattaches to unfinished runs: their monitors poll started steps and start the ready ones. */
  private resume(): void {
    const targets = new Set(this.store.activeRuns().map((run) => run.target));
    for (const name of targets) {
      const monitor = this.monitors.get(name);
      if (monitor) monitor.wake();
      // A run whose target left the config stays as it is until the target is back.
      else this.recorder.warn({ target: name, message: `unfinished runs use target "${name}", which is not configured` });
    }
  }

  private target(name: string): Target {
    const target = this.targetsByName.get(name);
    if (!target) {
      const known = [...this.targetsByName.keys()].join(', ');
      throw new FerryError('not-found', `no target named "${name}" (configured: ${known})`);
    }
    return target;
  }

  private unusedRunId(): string {
    return this.unusedId(newRunId, (id) => this.store.hasRun(id));
  }

  private unusedId(make: () => string, taken: (id: string) => boolean): string {
    for (;;) {
      const id = make();
      if (!taken(id)) return id;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new FerryError('internal', 'the run engine is closed');
  }
}

function stepRunOf(run: Run, step: string): StepRun {
  const found = run.steps.find((candidate) => candidate.name === step);
  if (!found) {
    const names = run.steps.map((candidate) => candidate.name).join(', ');
    throw new FerryError('not-found', `run ${run.id} has no step "${step}" (steps: ${names})`, { step });
  }
  return found;
}

/** Why a notebook-mode step's executed.ipynb is not there, by the step's state. */
function whyNoNotebook(runId: string, step: StepRun): string {
  switch (step.state) {
    case 'waiting':
    case 'queued':
      return 'it has not started yet';
    case 'running':
      return 'it is still running, and its notebook is saved when it ends';
    case 'skipped':
      return 'it was skipped';
    default: {
      const ended = step.state === 'cancelled' ? 'was cancelled' : step.state;
      if (!step.startedAt) return `it ${ended} before it started`;
      // The runtime saves the notebook once its kernel ran; it stopped before that (missing packages, a bad input).
      return `it ${ended} before its notebook ran; see \`ferry logs ${runId} ${step.name}\``;
    }
  }
}

function finishedVerb(state: Run['state']): string {
  return state === 'succeeded' ? 'succeeded' : state === 'failed' ? 'failed' : 'been cancelled';
}
