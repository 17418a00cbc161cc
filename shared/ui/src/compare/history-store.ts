/**
 * The metric histories a compare view holds: each series as the host last
 * answered a history request (downsampled for the chart's width, or a zoomed
 * range at full resolution), plus the points appended live since. Pure: no DOM.
 *
 * A live delta says how many points the series had before it (`from`); a
 * series read with `count` c takes the delta's points from index c − from
 * on, so a point is never drawn twice or skipped. Deltas that arrive while a
 * history request is out are kept and applied again on top of its answer
 * (the answer may have been read before them).
 *
 * Each run's first time is kept apart from the series: a zoomed answer no
 * longer starts at the run's first point, and relative time counts from it.
 */
import type { BucketGrid, ComparePointsMessage, HistoryAxis, HistoryResponse, HistorySeries } from '@ferry/core';

export interface HeldSeries {
  runId: string;
  stepName: string;
  name: string;
  /** Points in the series on the server that this copy accounts for: the cursor for deltas. */
  count: number;
  step: number[];
  time: number[];
  /** NaN where JSON carried null. */
  value: number[];
}

export type SeriesDelta = Omit<ComparePointsMessage, 'type'>;

export function seriesKey(series: { runId: string; stepName: string; name: string }): string {
  return `${series.runId}\u0000${series.stepName}\u0000${series.name}`;
}

export class HistoryStore {
  private readonly held = new Map<string, HeldSeries>();
  private pending: number | undefined;
  private sinceRequest: SeriesDelta[] = [];
  private readonly starts = new Map<string, number>();
  private answeredGrid: (BucketGrid & { x: HistoryAxis }) | undefined;

  /** Forgets everything (a new set of runs). */
  clear(): void {
    this.held.clear();
    this.starts.clear();
    this.answeredGrid = undefined;
    this.pending = undefined;
    this.sinceRequest = [];
  }

  /** A request went out: keep the deltas from now on, to apply again over its answer. */
  requested(request: number): void {
    this.pending = request;
    this.sinceRequest = [];
  }

  /** Takes the answer to the latest request; an answer to an earlier one is stale and dropped (returns false). */
  answer(request: number, history: HistoryResponse): boolean {
    if (request !== this.pending) return false;
    this.pending = undefined;
    this.held.clear();
    const { x, x0, x1, width } = history;
    this.answeredGrid = x0 !== undefined && x1 !== undefined ? { x, x0, x1, width } : undefined;
    for (const series of history.series) {
      this.held.set(seriesKey(series), readSeries(series));
      this.noteStart(series.runId, series.time);
    }
    for (const delta of this.sinceRequest) this.apply(delta);
    this.sinceRequest = [];
    return true;
  }

  append(delta: SeriesDelta): void {
    if (this.pending !== undefined) this.sinceRequest.push(delta);
    this.apply(delta);
  }

  series(): HeldSeries[] {
    return [...this.held.values()];
  }

  /** The axis, range and pixel columns the held histories were downsampled on (undefined before the first answer). */
  grid(): (BucketGrid & { x: HistoryAxis }) | undefined {
    return this.answeredGrid;
  }

  /** The time of each run's first point seen since `clear` (across its series): where its relative time is 0. */
  runStarts(): ReadonlyMap<string, number> {
    return this.starts;
  }

  private noteStart(runId: string, times: readonly number[]): void {
    // A loop, not Math.min(...): a full-resolution series can outgrow the argument limit.
    let first = this.starts.get(runId) ?? Number.POSITIVE_INFINITY;
    for (let i = 0; i < times.length; i++) if (times[i]! < first) first = times[i]!;
    if (Number.isFinite(first)) this.starts.set(runId, first);
  }

  private apply(delta: SeriesDelta): void {
    this.noteStart(delta.runId, delta.time);
    const key = seriesKey(delta);
    let series = this.held.get(key);
    if (!series) {
      series = { runId: delta.runId, stepName: delta.stepName, name: delta.name, count: delta.from, step: [], time: [], value: [] };
      this.held.set(key, series);
    }
    const end = delta.from + delta.value.length;
    if (end <= series.count) return; // already in the history
    // A gap (from > count) cannot be filled here; what arrives is still drawn.
    const skip = Math.max(0, series.count - delta.from);
    for (let i = skip; i < delta.value.length; i++) {
      series.step.push(delta.step[i]!);
      series.time.push(delta.time[i]!);
      series.value.push(delta.value[i] ?? Number.NaN);
    }
    series.count = end;
  }
}

function readSeries(series: HistorySeries): HeldSeries {
  return {
    runId: series.runId,
    stepName: series.stepName,
    name: series.name,
    count: series.count,
    step: [...series.step],
    time: [...series.time],
    value: series.value.map((v) => v ?? Number.NaN),
  };
}
