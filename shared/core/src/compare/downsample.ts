/**
 * Downsampling for charts: the x range is cut into `width` equal buckets
 * (one per pixel column) and each bucket keeps its first, last, lowest and
 * highest point. A line drawn through those looks the same as one through
 * every point: each pixel column spans the same values, so a one-point spike
 * survives, and the ends of the range are exact. Every point kept is a real
 * point; at most 4 per bucket.
 */
import type { HistoryAxis } from '../api/compare-contract.js';

/** A point as histories carry it; `value` may be NaN. */
export interface HistoryPoint {
  step: number;
  time: number;
  value: number;
}

/** `width` equal buckets over [x0, x1]; points outside are left out. */
export interface BucketGrid {
  x0: number;
  x1: number;
  width: number;
}

/** The bucket of `x`, or -1 outside the grid. x1 itself belongs to the last bucket. */
export function bucketOf(grid: BucketGrid, x: number): number {
  if (!(x >= grid.x0 && x <= grid.x1)) return -1;
  const span = grid.x1 - grid.x0;
  if (span <= 0) return 0;
  return Math.min(grid.width - 1, Math.floor(((x - grid.x0) / span) * grid.width));
}

const FIRST = 0;
const LOWEST = 1;
const HIGHEST = 2;
const LAST = 3;

/**
 * Folds points, in any order, into the four kept points of their bucket, in
 * one pass and fixed memory (typed arrays, 4 slots per bucket). Among points
 * with the same x, the first added stays first and the last added becomes last.
 */
export class BucketReducer {
  private readonly x: Float64Array;
  private readonly step: Float64Array;
  private readonly time: Float64Array;
  private readonly value: Float64Array;
  /** Per bucket: which slots hold a point (bit per slot). */
  private readonly filled: Uint8Array;

  constructor(
    readonly grid: BucketGrid,
    private readonly axis: HistoryAxis,
  ) {
    if (!Number.isInteger(grid.width) || grid.width < 1) throw new RangeError(`bucket width must be a positive integer, got ${grid.width}`);
    const slots = grid.width * 4;
    this.x = new Float64Array(slots);
    this.step = new Float64Array(slots);
    this.time = new Float64Array(slots);
    this.value = new Float64Array(slots);
    this.filled = new Uint8Array(grid.width);
  }

  add(step: number, time: number, value: number): void {
    const x = this.axis === 'step' ? step : time;
    const bucket = bucketOf(this.grid, x);
    if (bucket < 0) return;
    const base = bucket * 4;
    const filled = this.filled[bucket]!;
    if (!(filled & (1 << FIRST)) || x < this.x[base + FIRST]!) this.put(base + FIRST, x, step, time, value, bucket, FIRST);
    if (!(filled & (1 << LAST)) || x >= this.x[base + LAST]!) this.put(base + LAST, x, step, time, value, bucket, LAST);
    if (Number.isNaN(value)) return; // NaN is neither the lowest nor the highest
    if (!(filled & (1 << LOWEST)) || value < this.value[base + LOWEST]!) this.put(base + LOWEST, x, step, time, value, bucket, LOWEST);
    if (!(filled & (1 << HIGHEST)) || value > this.value[base + HIGHEST]!) this.put(base + HIGHEST, x, step, time, value, bucket, HIGHEST);
  }

  /** The kept points in x order (within a bucket: first, then lowest/highest by x, then last), each once. */
  result(): { step: number[]; time: number[]; value: number[] } {
    const out = { step: [] as number[], time: [] as number[], value: [] as number[] };
    const order: number[] = [];
    for (let bucket = 0; bucket < this.grid.width; bucket++) {
      const filled = this.filled[bucket]!;
      if (!filled) continue;
      const base = bucket * 4;
      order.length = 0;
      for (const slot of [FIRST, LOWEST, HIGHEST, LAST]) {
        if (!(filled & (1 << slot))) continue;
        const at = base + slot;
        if (order.some((other) => this.samePoint(other, at))) continue;
        order.push(at);
      }
      // Stable: the first slot stays ahead of an extreme at the same x, the last slot behind it.
      order.sort((a, b) => this.x[a]! - this.x[b]!);
      for (const at of order) {
        out.step.push(this.step[at]!);
        out.time.push(this.time[at]!);
        out.value.push(this.value[at]!);
      }
    }
    return out;
  }

  private samePoint(a: number, b: number): boolean {
    return this.step[a] === this.step[b] && this.time[a] === this.time[b] && Object.is(this.value[a], this.value[b]);
  }

  private put(at: number, x: number, step: number, time: number, value: number, bucket: number, slot: number): void {
    this.x[at] = x;
    this.step[at] = step;
    this.time[at] = time;
    this.value[at] = value;
    this.filled[bucket] = this.filled[bucket]! | (1 << slot);
  }
}

/** Downsamples a whole series held in memory (what the store does from its summaries, for points at hand). */
export function downsample(points: readonly HistoryPoint[], axis: HistoryAxis, grid: BucketGrid): HistoryPoint[] {
  const reducer = new BucketReducer(grid, axis);
  for (const point of points) reducer.add(point.step, point.time, point.value);
  const { step, time, value } = reducer.result();
  return step.map((s, i) => ({ step: s, time: time[i]!, value: value[i]! }));
}

/** The smallest range holding every x of every series; undefined when there is no point. */
export function extentOf(ranges: ReadonlyArray<{ min: number; max: number } | undefined>): { x0: number; x1: number } | undefined {
  let x0 = Infinity;
  let x1 = -Infinity;
  for (const range of ranges) {
    if (!range) continue;
    x0 = Math.min(x0, range.min);
    x1 = Math.max(x1, range.max);
  }
  return x0 <= x1 ? { x0, x1 } : undefined;
}
