/**
 * Writes state to the store and tells listeners, in that order, so a
 * listener that reads the store on an event always sees what it was told.
 * The one place engine events are emitted from.
 */
import type { EventEmitter } from 'node:events';
import type { RunEngineEvents } from './events.js';
import type { Sweep } from '../sweeps/sweep.js';
import type { NewRun, NewSweep, RunPatch, RunStore, StepPatch } from './store/run-store.js';

export class RunRecorder {
  constructor(
    readonly store: RunStore,
    private readonly events: EventEmitter<RunEngineEvents>,
  ) {}

  /** Records a new run ('queued', steps 'waiting'); emits its first 'change'. */
  created(input: NewRun): void {
    const run = this.store.createRun(input);
    const [queued] = this.store.stateChanges(run.id);
    this.events.emit('change', { ...queued!, run: this.store.getRun(run.id) });
  }

  /** Records a sweep and all its points at once; emits each point's first 'change'. */
  createdSweep(sweep: NewSweep, points: readonly NewRun[]): Sweep {
    const created = this.store.createSweep(sweep, points);
    for (const point of points) {
      const [queued] = this.store.stateChanges(point.id);
      this.events.emit('change', { ...queued!, run: this.store.getRun(point.id) });
    }
    return created;
  }

  /** Updates a step; emits 'change' when its state changed. Returns whether it did. */
  step(runId: string, step: string, patch: StepPatch): boolean {
    const change = this.store.updateStep(runId, step, patch);
    if (change) this.events.emit('change', { ...change, run: this.store.getRun(runId) });
    return change !== undefined;
  }

  /** Updates the run; emits 'change' when its state changed. Returns whether it did. */
  run(runId: string, patch: RunPatch): boolean {
    const change = this.store.updateRun(runId, patch);
    if (change) this.events.emit('change', { ...change, run: this.store.getRun(runId) });
    return change !== undefined;
  }

  /** Call after the points are stored. */
  emitMetrics(event: RunEngineEvents['metrics'][0]): void {
    this.events.emit('metrics', event);
  }

  /** Call after the new log offset is stored. */
  emitLog(event: RunEngineEvents['log'][0]): void {
    this.events.emit('log', event);
  }

  polled(event: RunEngineEvents['poll'][0]): void {
    this.events.emit('poll', event);
  }

  warn(warning: RunEngineEvents['warning'][0]): void {
    this.events.emit('warning', warning);
  }
}
