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
import { isFinalRunState, isFinalStepState, type MetricSeries, type Run, type RunWithSpec, type StateChange } from '../run.js';
import { SPEC_VERSION, type JsonValue, type PipelineSpec, type StepMode } from '../spec.js';
import { loadConfig, type FerryConfig } from './config.js';
import type { RunEngineEvents } from './events.js';
import { TargetMonitor } from './monitor/target-monitor.js';
import type { FerryPaths } from './paths.js';
import { PromptBroker } from './prompts.js';
import { RunRecorder } from './recorder.js';
import { newRunId } from './store/run-id.js';
import { RunStore, type ListRunsOptions } from './store/run-store.js';
import { createTargets, type TargetOptions } from './targets/create.js';
import type { LogRange, Target } from './targets/target.js';

/** Most bytes one readLog returns; clients page through bigger logs. */
export const MAX_LOG_READ = 8 * 1024 * 1024;

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
}

export interface SubmitInput {
  notebookPath: string;
  spec: PipelineSpec;
  target: string;
  mode: StepMode;
  /** Every parameter's value, already resolved and validated by the caller. */
  parameters: Record<string, JsonValue>;
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
    });
    const engine = new RunEngine(store, targets, prompts, options.pollIntervalMs ?? 250);
    engine.resume();
    return engine;
  }

  private constructor(
    private readonly store: RunStore,
    private readonly targetsByName: Map<string, Target>,
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
    this.assertOpen();
    const target = this.target(input.target);
    if (input.spec.specVersion !== SPEC_VERSION) {
      throw new FerryError('pipeline', `spec version ${String(input.spec.specVersion)} is not supported (expected ${SPEC_VERSION})`);
    }
    if (input.spec.steps.length === 0) throw new FerryError('pipeline', `pipeline "${input.spec.name}" has no steps to run`);
    const id = this.unusedRunId();
    let runDir: string;
    try {
      runDir = await target.runDir(id);
    } catch (error) {
      throw new FerryError('target', `could not reach target "${target.name}": ${(error as Error).message}`);
    }
    const draft: RunWithSpec = {
      id,
      pipeline: input.spec.name,
      notebookPath: resolve(input.notebookPath),
      target: target.name,
      mode: input.mode,
      state: 'queued',
      parameters: input.parameters,
      createdAt: new Date().toISOString(),
      runDir,
      steps: input.spec.steps.map((step) => ({ name: step.name, state: 'waiting', logOffset: 0, metricsOffset: 0 })),
      spec: input.spec,
    };
    // Staged before it is recorded: the monitor starts steps of any recorded
    // run, so it must never see one whose files are not there yet.
    try {
      await target.stage(draft);
    } catch (error) {
      throw new FerryError('target', `could not stage the run on target "${target.name}": ${(error as Error).message}`);
    }
    this.recorder.created(draft);
    this.monitors.get(target.name)!.wake();
    return this.store.getRun(id);
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
    const now = new Date().toISOString();
    // The store first: the monitor ignores steps that are final there, so it
    // cannot report a killed step as failed while the kill is under way.
    const started = run.steps.filter((step) => !isFinalStepState(step.state) && step.jobId !== undefined).map((step) => step.name);
    for (const step of run.steps) {
      if (isFinalStepState(step.state)) continue;
      const wasStarted = started.includes(step.name);
      this.recorder.step(runId, step.name, {
        state: 'cancelled',
        reason: wasStarted ? 'cancelled by the user' : 'cancelled before it started',
        ...(wasStarted && { finishedAt: now }),
      });
    }
    this.recorder.run(runId, { state: 'cancelled', finishedAt: now, reason: 'cancelled by the user' });
    if (started.length > 0) {
      const stopping = target.cancel(this.store.getRun(runId), started);
      this.cancelling.add(stopping);
      try {
        await stopping;
      } finally {
        this.cancelling.delete(stopping);
      }
    }
    return this.store.getRun(runId);
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

  async stateChanges(runId: string): Promise<StateChange[]> {
    this.assertOpen();
    this.store.getRun(runId); // 'not-found' for an unknown run
    return this.store.stateChanges(runId);
  }

  /** A byte range of a step's log, read from the target (at most MAX_LOG_READ bytes); `size` is the whole log's. */
  async readLog(runId: string, step: string, offset: number, maxBytes: number): Promise<LogRange> {
    this.assertOpen();
    const run = this.store.getRun(runId);
    if (!run.steps.some((candidate) => candidate.name === step)) {
      const names = run.steps.map((candidate) => candidate.name).join(', ');
      throw new FerryError('not-found', `run ${runId} has no step "${step}" (steps: ${names})`, { step });
    }
    return this.target(run.target).readLog(run, step, offset, Math.max(0, Math.min(maxBytes, MAX_LOG_READ)));
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
    for (;;) {
      const id = newRunId();
      if (!this.store.hasRun(id)) return id;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new FerryError('internal', 'the run engine is closed');
  }
}

function finishedVerb(state: Run['state']): string {
  return state === 'succeeded' ? 'succeeded' : state === 'failed' ? 'failed' : 'been cancelled';
}
