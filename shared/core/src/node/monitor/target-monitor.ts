/**
 * One loop per target. Each tick polls the target once about all of its
 * active steps, stores what changed (new metric points with their cursor,
 * log growth, states), then lets waiting steps whose dependencies succeeded
 * start within the target's parallelism, and closes runs that are done.
 *
 * Everything it knows comes from the store, so a fresh engine over the same
 * store resumes exactly where a closed one stopped.
 */
import { isFinalStepState, type Run, type StepRun } from '../../run.js';
import type { PipelineSpec } from '../../spec.js';
import type { RunRecorder } from '../recorder.js';
import { planRun, runOutcome } from '../scheduler.js';
import type { ActiveStep, StartOutcome, StepObservation, Target } from '../targets/target.js';
import { parseMetricLines } from './metrics-lines.js';
import { PollLoop, type TickResult } from './poll-loop.js';

export interface TargetMonitorOptions {
  intervalMs: number;
}

export class TargetMonitor {
  private readonly loop: PollLoop;
  /** Specs of active runs: immutable, so parsed once. */
  private readonly specs = new Map<string, PipelineSpec>();

  constructor(
    private readonly target: Target,
    private readonly recorder: RunRecorder,
    options: TargetMonitorOptions,
  ) {
    this.loop = new PollLoop(() => this.tick(), {
      intervalMs: options.intervalMs,
      maxIntervalMs: options.intervalMs * 4,
      ...(target.pollPolicy && { policy: target.pollPolicy }),
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

  private get store() {
    return this.recorder.store;
  }

  private async tick(): Promise<TickResult> {
    let changed = false;
    const active = this.activeSteps();
    if (active.length > 0) {
      const observations = await this.target.poll(active);
      for (const observation of observations) changed = this.apply(observation) || changed;
    }
    changed = (await this.schedule()) || changed;
    return { active: this.runs().length > 0, changed };
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
    let changed = false;

    const { data, size } = observation.metrics;
    const metricsDrained = current.metricsOffset + data.length >= size;
    if (data.length > 0) {
      const parsed = parseMetricLines(data);
      for (const line of parsed.malformed) {
        this.recorder.warn({ runId, step, message: `skipped a malformed line of metrics.jsonl (${line.problem}): ${line.text.slice(0, 200)}` });
      }
      if (parsed.consumed > 0) {
        this.store.appendMetrics(runId, step, parsed.points, current.metricsOffset + parsed.consumed);
        if (parsed.points.length > 0) this.recorder.emitMetrics({ runId, stepName: step, points: parsed.points });
        changed = true;
      }
    }

    if (observation.logSize > current.logOffset) {
      this.store.setLogOffset(runId, step, observation.logSize);
      this.recorder.emitLog({ runId, step, offset: current.logOffset, size: observation.logSize });
      changed = true;
    }

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

  /** Starts queued steps, oldest run first, while the target has free slots. */
  private async startQueued(): Promise<boolean> {
    const runs = this.runs();
    const busy = runs.flatMap((run) => run.steps).filter((step) => step.jobId !== undefined && !isFinalStepState(step.state)).length;
    const free = this.target.maxParallel === undefined ? Infinity : Math.max(0, this.target.maxParallel - busy);
    const pending = runs.flatMap((run) => run.steps.filter((step) => step.state === 'queued' && step.jobId === undefined).map((step) => ({ run, step })));
    for (const { run, step } of pending.slice(free)) {
      if (!step.reason) this.store.updateStep(run.id, step.name, { reason: `all ${this.target.maxParallel} slots of target "${this.target.name}" are busy` });
    }
    const toStart = pending.slice(0, free);
    for (const run of runs) {
      const names = toStart.filter((entry) => entry.run === run).map((entry) => entry.step.name);
      if (names.length > 0) await this.startSteps(run, names);
    }
    return toStart.length > 0;
  }

  private async startSteps(run: Run, candidates: string[]): Promise<void> {
    // Another run's start was awaited before this one: a cancel may have come in meanwhile.
    const names = candidates.filter((name) => {
      const current = this.currentStep(run.id, name);
      return current?.state === 'queued' && current.jobId === undefined;
    });
    if (names.length === 0) return;
    let outcomes: Record<string, StartOutcome>;
    try {
      outcomes = await this.target.start({ ...run, spec: this.specFor(run) }, names);
    } catch (error) {
      const reason = `target "${this.target.name}" could not start the step: ${(error as Error).message}`;
      outcomes = Object.fromEntries(names.map((name) => [name, { ok: false, reason }]));
    }
    for (const name of names) {
      const outcome = outcomes[name] ?? { ok: false, reason: `target "${this.target.name}" did not start the step` };
      if (!outcome.ok) {
        this.recorder.step(run.id, name, { state: 'failed', reason: outcome.reason, finishedAt: nowIso() });
        continue;
      }
      const current = this.currentStep(run.id, name);
      if (current && isFinalStepState(current.state)) {
        // Cancelled while it was being started: keep the job id on record and stop the job.
        this.store.updateStep(run.id, name, { jobId: outcome.jobId });
        await this.target.cancel(this.store.getRun(run.id), [name]);
        continue;
      }
      this.recorder.step(run.id, name, {
        state: outcome.state,
        jobId: outcome.jobId,
        reason: null,
        ...(outcome.state === 'running' && { startedAt: isoTime(outcome.startedAt) ?? nowIso() }),
      });
      if (this.store.getRun(run.id).state === 'queued') this.recorder.run(run.id, { state: 'running', startedAt: nowIso() });
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

function nowIso(): string {
  return new Date().toISOString();
}

/** Normalizes a timestamp a target reported (Python's isoformat, say) to ISO-8601 UTC with milliseconds. */
function isoTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}
