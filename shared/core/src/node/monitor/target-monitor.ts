/**
 * One loop per target. Each tick polls the target once about all of its
 * active steps, stores what changed (new metric points with their cursor,
 * log growth, states), then lets waiting steps whose dependencies succeeded
 * start within the target's parallelism, and closes runs that are done.
 *
 * Everything it knows comes from the store, so a fresh engine over the same
 * store resumes exactly where a closed one stopped.
 *
 * Clients that follow a step live register a watch (counted: several may
 * watch one step); while any is registered the loop polls within
 * `watchedMs`, with the target's light poll of just the watched steps.
 */
import { isFinalStepState, type Run, type StepRun } from '../../run.js';
import type { PipelineSpec } from '../../spec.js';
import type { RunRecorder } from '../recorder.js';
import { planRun, runOutcome } from '../scheduler.js';
import type { ActiveStep, StartOutcome, StepFilesObservation, StepObservation, Target } from '../targets/target.js';
import { parseMetricLines } from './metrics-lines.js';
import { PollLoop, type LightTickResult, type TickResult } from './poll-loop.js';
import { WatchRegistry } from './watch-registry.js';

export interface TargetMonitorOptions {
  intervalMs: number;
}

export class TargetMonitor {
  private readonly loop: PollLoop;
  /** Specs of active runs: immutable, so parsed once. */
  private readonly specs = new Map<string, PipelineSpec>();
  private readonly watches: WatchRegistry;
  /** The status.json state each watched step's light poll last saw, by `runId/step`. */
  private readonly statusSeen = new Map<string, string>();

  constructor(
    private readonly target: Target,
    private readonly recorder: RunRecorder,
    options: TargetMonitorOptions,
  ) {
    this.watches = new WatchRegistry((watched) => {
      if (!watched) this.statusSeen.clear();
      this.loop.setWatched(watched);
    });
    this.loop = new PollLoop(() => this.tick(), {
      intervalMs: options.intervalMs,
      maxIntervalMs: options.intervalMs * 4,
      ...(target.pollPolicy && { policy: target.pollPolicy }),
      ...(target.pollFiles && { light: () => this.lightTick() }),
      onError: (error) =>
        recorder.warn({ target: target.name, message: `monitoring target "${target.name}" failed: ${(error as Error).message}` }),
    });
    target.onActivity?.(() => this.loop.wake());
    target.onWarning?.((message) => recorder.warn({ target: target.name, message }));
  }

  /** Look now: a run was submitted or resumed. */
  wake(): void {
    this.loop.wake();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** A client follows `step` of the run (every step without one) live, until it calls the returned release. */
  watch(runId: string, step?: string): () => void {
    return this.watches.add(runId, step);
  }

  private get store() {
    return this.recorder.store;
  }

  private async tick(): Promise<TickResult> {
    let changed = false;
    const active = this.activeSteps();
    if (active.length > 0) {
      const observations = await this.target.poll(active);
      this.recorder.polled({ target: this.target.name, kind: 'full', steps: active.length });
      for (const observation of observations) changed = this.apply(observation) || changed;
    }
    changed = (await this.schedule()) || changed;
    return { active: this.runs().length > 0, changed };
  }

  /** Only the watched steps' files; says whether a full poll should come now (the runtime reported a start or an end). */
  private async lightTick(): Promise<LightTickResult> {
    const watched = this.activeSteps().filter((step) => this.watches.covers(step.runId, step.step));
    for (const key of this.statusSeen.keys()) {
      if (!watched.some((step) => `${step.runId}/${step.step}` === key)) this.statusSeen.delete(key);
    }
    if (watched.length === 0) return { needsFullPoll: false };
    const seen = await this.target.pollFiles!(watched);
    this.recorder.polled({ target: this.target.name, kind: 'light', steps: watched.length });
    let needsFullPoll = false;
    for (const files of seen) {
      const current = this.currentStep(files.runId, files.step);
      if (!current || isFinalStepState(current.state)) continue;
      this.applyGrowth(current, files.runId, files);
      const key = `${files.runId}/${files.step}`;
      // Once per new status: a step the runtime reports running, or finished, is confirmed by a full poll.
      if (files.status !== undefined && files.status !== this.statusSeen.get(key)) {
        this.statusSeen.set(key, files.status);
        if (!(files.status === 'running' && current.state === 'running')) needsFullPoll = true;
      }
    }
    return { needsFullPoll };
  }

  private runs(): Run[] {
    return this.store.activeRuns().filter((run) => run.target === this.target.name);
  }

  private activeSteps(): ActiveStep[] {
    return this.runs().flatMap((run) =>
      run.steps
        .filter((step) => step.jobId !== undefined && !isFinalStepState(step.state))
        .map((step) => ({
          runId: run.id,
          runDir: run.runDir,
          step: step.name,
          jobId: step.jobId!,
          state: step.state === 'running' ? ('running' as const) : ('queued' as const),
          logOffset: step.logOffset,
          metricsOffset: step.metricsOffset,
        })),
    );
  }

  /** Stores one observation: metrics first, then log growth, then the state, so listeners get them in that order. */
  private apply(observation: StepObservation): boolean {
    const { runId, step } = observation;
    const current = this.currentStep(runId, step);
    // Cancelled (or otherwise finished) while the poll was out: the store has the last word.
    if (!current || isFinalStepState(current.state)) return false;
    const { data, size } = observation.metrics;
    const metricsDrained = current.metricsOffset + data.length >= size;
    let changed = this.applyGrowth(current, runId, observation);
    changed = this.applyPlacement(current, observation) || changed;

    // A final state waits until every metrics byte is read, so a finished step's series are complete.
    if (observation.state !== current.state && (!isFinalStepState(observation.state) || metricsDrained)) {
      const final = isFinalStepState(observation.state);
      this.recorder.step(runId, step, {
        state: observation.state,
        ...(observation.state === 'running' && !current.startedAt && { startedAt: isoTime(observation.startedAt) ?? nowIso() }),
        // A step seen only queued and then finished (a short job between two polls) still gets its start time.
        ...(final && !current.startedAt && observation.startedAt && { startedAt: isoTime(observation.startedAt) }),
        ...(final && { finishedAt: isoTime(observation.finishedAt) ?? nowIso() }),
        ...(observation.exitCode !== undefined && { exitCode: observation.exitCode }),
        // A step that moves on (queued → running) drops the reason it was waiting for.
        ...(observation.reason !== undefined ? { reason: observation.reason } : !final && { reason: null }),
      });
      changed = true;
    } else if (observation.state === current.state && observation.reason !== undefined && observation.reason !== current.reason) {
      // Same state, new reason (Slurm: pending for Dependency, then Priority, then Resources).
      this.store.updateStep(runId, step, { reason: observation.reason });
      changed = true;
    }
    return changed;
  }

  /** Stores the node and retry count the target saw, when they are new: before the state, so a finished step has them. */
  private applyPlacement(current: StepRun, observation: StepObservation): boolean {
    const node = observation.node !== undefined && observation.node !== current.node ? observation.node : undefined;
    const retries = observation.retries !== undefined && observation.retries !== current.retries ? observation.retries : undefined;
    if (node === undefined && retries === undefined) return false;
    this.store.updateStep(observation.runId, observation.step, { ...(node !== undefined && { node }), ...(retries !== undefined && { retries }) });
    return true;
  }

  /** Stores new metric points and log growth (in that order) seen by a full or a light poll. */
  private applyGrowth(current: StepRun, runId: string, files: Pick<StepFilesObservation, 'step' | 'logSize' | 'metrics'>): boolean {
    const { step } = files;
    let changed = false;
    if (files.metrics.data.length > 0) {
      const parsed = parseMetricLines(files.metrics.data);
      for (const line of parsed.malformed) {
        this.recorder.warn({ runId, step, message: `skipped a malformed line of metrics.jsonl (${line.problem}): ${line.text.slice(0, 200)}` });
      }
      if (parsed.consumed > 0) {
        this.store.appendMetrics(runId, step, parsed.points, current.metricsOffset + parsed.consumed);
        if (parsed.points.length > 0) this.recorder.emitMetrics({ runId, stepName: step, points: parsed.points });
        changed = true;
      }
    }
    if (files.logSize > current.logOffset) {
      this.store.setLogOffset(runId, step, files.logSize);
      this.recorder.emitLog({ runId, step, offset: current.logOffset, size: files.logSize });
      changed = true;
    }
    return changed;
  }

  /** Skips and readies steps by the DAG rules, starts what fits, closes finished runs. */
  private async schedule(): Promise<boolean> {
    let changed = false;
    for (const run of this.runs()) {
      const plan = planRun(run, this.specFor(run), { wholeDag: this.target.submitsWholeDag === true });
      for (const { step, reason } of plan.skip) changed = this.recorder.step(run.id, step, { state: 'skipped', reason }) || changed;
      for (const step of plan.ready) changed = this.recorder.step(run.id, step, { state: 'queued' }) || changed;
      // With a whole-DAG target, a skipped step may already have a job waiting on its upstream: stop it.
      const submitted = plan.skip.map(({ step }) => step).filter((step) => run.steps.some((s) => s.name === step && s.jobId !== undefined));
      if (submitted.length > 0) await this.cancelSkipped(run.id, submitted);
    }
    changed = (await this.startQueued()) || changed;
    for (const run of this.runs()) {
      const outcome = runOutcome(run);
      if (outcome) {
        changed = this.recorder.run(run.id, { state: outcome, finishedAt: nowIso() }) || changed;
        this.specs.delete(run.id);
      }
    }
    return changed;
  }

  /** Starts queued steps, oldest run first, while the target has free slots (and their sweep has too). */
  private async startQueued(): Promise<boolean> {
    const runs = this.runs();
    const busy = runs.flatMap((run) => run.steps).filter((step) => step.jobId !== undefined && !isFinalStepState(step.state)).length;
    const free = this.target.maxParallel === undefined ? Infinity : Math.max(0, this.target.maxParallel - busy);
    const held = this.heldPoints(runs);
    const pending = runs.flatMap((run) => run.steps.filter((step) => step.state === 'queued' && step.jobId === undefined).map((step) => ({ run, step })));
    for (const { run, step } of pending) {
      const reason = held.get(run.id);
      if (reason !== undefined && step.reason !== reason) this.store.updateStep(run.id, step.name, { reason });
    }
    const startable = pending.filter(({ run }) => !held.has(run.id));
    for (const { run, step } of startable.slice(free)) {
      if (!step.reason) this.store.updateStep(run.id, step.name, { reason: `all ${this.target.maxParallel} slots of target "${this.target.name}" are busy` });
    }
    const toStart = startable.slice(0, free);
    /** Points not started yet that the target starts per sweep, as one unit. */
    const sweepPoints = new Map<string, Run[]>();
    for (const run of runs) {
      const names = toStart.filter((entry) => entry.run === run).map((entry) => entry.step.name);
      if (names.length === 0) continue;
      if (this.target.startSweep && run.sweepId !== undefined && names.length === run.steps.length) {
        sweepPoints.set(run.sweepId, [...(sweepPoints.get(run.sweepId) ?? []), run]);
      } else {
        await this.startSteps(run, names);
      }
    }
    for (const [sweepId, points] of sweepPoints) await this.startSweep(sweepId, points);
    return toStart.length > 0;
  }

  /**
   * Points a sweep holds back while its maxParallel points are going, by run
   * id, with why. A point counts from its first started step until it is
   * final. A target that starts whole sweeps keeps to the limit itself.
   */
  private heldPoints(runs: readonly Run[]): Map<string, string> {
    const held = new Map<string, string>();
    if (this.target.startSweep) return held;
    const started = (run: Run) => run.steps.some((step) => step.jobId !== undefined || isFinalStepState(step.state));
    const sweeps = new Map<string, Run[]>();
    for (const run of runs) if (run.sweepId !== undefined) sweeps.set(run.sweepId, [...(sweeps.get(run.sweepId) ?? []), run]);
    for (const [sweepId, points] of sweeps) {
      const limit = this.store.getSweep(sweepId).maxParallel;
      if (limit === undefined) continue;
      let going = points.filter(started).length;
      for (const point of points.filter((candidate) => !started(candidate))) {
        if (going < limit) going++;
        else held.set(point.id, `waiting for a free slot of sweep ${sweepId} (at most ${limit} points at once)`);
      }
    }
    return held;
  }

  private async startSteps(run: Run, candidates: string[]): Promise<void> {
    // Another run's start was awaited before this one: a cancel may have come in meanwhile.
    const names = this.stillQueued(run.id, candidates);
    if (names.length === 0) return;
    let outcomes: Record<string, StartOutcome>;
    try {
      outcomes = await this.target.start({ ...run, spec: this.specFor(run) }, names);
    } catch (error) {
      outcomes = failed(names, `target "${this.target.name}" could not start the step: ${(error as Error).message}`);
    }
    await this.recordStarts(run.id, names, outcomes);
  }

  /** Starts points of a sweep, none of whose steps has started, with one call of the target (Slurm: a job array per step). */
  private async startSweep(sweepId: string, candidates: Run[]): Promise<void> {
    const points = candidates.filter((run) => this.stillQueued(run.id, run.steps.map((step) => step.name)).length === run.steps.length);
    if (points.length === 0) return;
    let outcomes: Record<string, Record<string, StartOutcome>>;
    try {
      outcomes = await this.target.startSweep!(this.store.getSweep(sweepId), points.map((run) => ({ ...run, spec: this.specFor(run) })));
    } catch (error) {
      const reason = `target "${this.target.name}" could not start the sweep: ${(error as Error).message}`;
      outcomes = Object.fromEntries(points.map((run) => [run.id, failed(run.steps.map((step) => step.name), reason)]));
    }
    for (const run of points) await this.recordStarts(run.id, run.steps.map((step) => step.name), outcomes[run.id] ?? {});
  }

  /** Of the given steps, those still queued and not started (a cancel may have come in). */
  private stillQueued(runId: string, names: readonly string[]): string[] {
    return names.filter((name) => {
      const current = this.currentStep(runId, name);
      return current?.state === 'queued' && current.jobId === undefined;
    });
  }

  /** Records what the target said of each step it was asked to start. */
  private async recordStarts(runId: string, names: readonly string[], outcomes: Record<string, StartOutcome>): Promise<void> {
    for (const name of names) {
      const outcome = outcomes[name] ?? { ok: false, reason: `target "${this.target.name}" did not start the step` };
      if (!outcome.ok) {
        this.recorder.step(runId, name, { state: 'failed', reason: outcome.reason, finishedAt: nowIso() });
        continue;
      }
      const current = this.currentStep(runId, name);
      if (current && isFinalStepState(current.state)) {
        // Cancelled while it was being started: keep the job id on record and stop the job.
        this.store.updateStep(runId, name, { jobId: outcome.jobId });
        await this.target.cancel(this.store.getRun(runId), [name]);
        continue;
      }
      this.recorder.step(runId, name, {
        state: outcome.state,
        jobId: outcome.jobId,
        reason: null,
        ...(outcome.state === 'running' && { startedAt: isoTime(outcome.startedAt) ?? nowIso() }),
      });
      if (this.store.getRun(runId).state === 'queued') this.recorder.run(runId, { state: 'running', startedAt: nowIso() });
    }
  }

  private async cancelSkipped(runId: string, steps: string[]): Promise<void> {
    try {
      await this.target.cancel(this.store.getRun(runId), steps);
    } catch (error) {
      this.recorder.warn({ runId, message: `could not cancel the jobs of skipped steps ${steps.join(', ')}: ${(error as Error).message}` });
    }
  }

  private currentStep(runId: string, step: string): StepRun | undefined {
    return this.store.getRun(runId).steps.find((candidate) => candidate.name === step);
  }

  private specFor(run: Run): PipelineSpec {
    let spec = this.specs.get(run.id);
    if (!spec) {
      spec = this.store.getRunWithSpec(run.id).spec;
      this.specs.set(run.id, spec);
    }
    return spec;
  }
}

function failed(names: readonly string[], reason: string): Record<string, StartOutcome> {
  return Object.fromEntries(names.map((name) => [name, { ok: false, reason }]));
}

function nowIso(): string {
  return new Date().toISOString();
}

/** Normalizes a timestamp a target reported (Python's isoformat, say) to ISO-8601 UTC with milliseconds. */
function isoTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}
