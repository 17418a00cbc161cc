/**
 * The epoch as the charts' x axis. Ferry's log_metric records a name, a value
 * and a step, no epoch; training loops (and Lightning's CSV logger) log an
 * `epoch` metric next to the others, so a run's epochs are its `epoch` series.
 * Each point's step maps to the epoch in force at that step: the value of the
 * last epoch point at or before it. A step before any epoch point has no
 * epoch. Pure: no DOM.
 */
import type { ComparedRun } from '@ferry/core';
import type { HeldSeries } from './history-store.js';

/** The metric a run's epochs are read from. */
export const EPOCH_METRIC = 'epoch';

export interface EpochPoints {
  step: readonly number[];
  value: readonly number[];
}

/** The epoch in force at a step; undefined before the first epoch point. */
export type EpochAt = (step: number) => number | undefined;

/**
 * The epoch in force at any step, from an epoch series in any order. A step
 * logged twice counts with its last value (as the log reads); NaN epochs are
 * no epoch points.
 */
export function epochLookup(epochs: EpochPoints): EpochAt {
  const order = epochs.step.map((_, i) => i).filter((i) => Number.isFinite(epochs.value[i]));
  // Stable: of points on the same step, the one logged last sorts last and wins the search below.
  order.sort((a, b) => epochs.step[a]! - epochs.step[b]!);
  const steps = order.map((i) => epochs.step[i]!);
  const values = order.map((i) => epochs.value[i]!);
  return (step) => {
    const at = lastAtOrBefore(steps, step);
    return at < 0 ? undefined : values[at];
  };
}

/** Index of the last of the ascending `steps` that is ≤ `step`; -1 when none is. */
function lastAtOrBefore(steps: readonly number[], step: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid]! <= step) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Each held series' epochs: the run's epoch series of the same pipeline step,
 * else the run's first (by step name); undefined for a run that logs none.
 */
export function epochLookups(held: readonly HeldSeries[]): (runId: string, stepName: string) => EpochAt | undefined {
  const lookups = new Map<string, EpochAt>();
  const byRun = new Map<string, EpochAt>();
  const epochSeries = held.filter((s) => s.name === EPOCH_METRIC).sort((a, b) => a.stepName.localeCompare(b.stepName));
  for (const series of epochSeries) {
    const lookup = epochLookup(series);
    lookups.set(`${series.runId}\u0000${series.stepName}`, lookup);
    if (!byRun.has(series.runId)) byRun.set(series.runId, lookup);
  }
  return (runId, stepName) => lookups.get(`${runId}\u0000${stepName}`) ?? byRun.get(runId);
}

/** The compared runs that log no epoch: in the epoch mode their curves are left out. */
export function runsWithoutEpoch(runs: readonly ComparedRun[]): ComparedRun[] {
  return runs.filter((run) => !run.metrics.some((metric) => metric.name === EPOCH_METRIC));
}

/**
 * The steps an epoch range spans in the held series, for a history request:
 * the server windows histories by step or time, not by epoch, so a zoom on
 * epochs asks for the step range it maps to. Per run it starts at the epoch
 * point in force at the range's start (so that the answer holds the epoch of
 * every step in it) and ends at the first epoch point past the range's end,
 * or at the last step held where the run's epochs do not go past it.
 * Undefined where no run has epochs held (the whole history is asked for).
 */
export function epochStepRange(range: { x0: number; x1: number }, held: readonly HeldSeries[]): { x0: number; x1: number } | undefined {
  const lo = Math.min(range.x0, range.x1);
  const hi = Math.max(range.x0, range.x1);
  let lastStep = Number.NEGATIVE_INFINITY;
  for (const series of held) for (const step of series.step) if (step > lastStep) lastStep = step;
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  for (const series of held) {
    if (series.name !== EPOCH_METRIC) continue;
    const points = series.step.map((step, i) => ({ step, epoch: series.value[i]! })).filter((p) => Number.isFinite(p.epoch));
    points.sort((a, b) => a.step - b.step);
    if (points.length === 0) continue;
    const inForce = points.findLast((p) => p.epoch <= lo) ?? points[0]!;
    const past = points.find((p) => p.step > inForce.step && p.epoch > hi);
    x0 = Math.min(x0, inForce.step);
    x1 = Math.max(x1, past?.step ?? lastStep);
  }
  return x0 <= x1 ? { x0, x1 } : undefined;
}
