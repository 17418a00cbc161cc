/**
 * Metric series as uPlot wants them: one shared, ascending x array and one
 * y array per series with null where a series has no point at that x (runs
 * overlaid in one chart rarely log the same steps). Pure: no DOM.
 */
import { bucketOf, type BucketGrid, type MetricPoint } from '@ferry/core';

export type XAxis = 'step' | 'time';

export interface ChartSeriesInput {
  /** Stable identity (run, step, metric), so a chart can tell new series from known ones. */
  key: string;
  label: string;
  points: readonly MetricPoint[];
}

/** `[xs, ys1, ys2, …]`; a NaN (or null, as JSON carries NaN) value is a gap. */
export type AlignedSeries = [number[], ...Array<Array<number | null>>];

/** One series as columns: x and value at each index (a NaN or null value is a gap). */
export interface SeriesColumns {
  x: ArrayLike<number>;
  value: ArrayLike<number | null>;
}

export function alignSeries(series: readonly ChartSeriesInput[], x: XAxis, grid?: BucketGrid): AlignedSeries {
  return alignColumns(
    series.map((s) => ({ x: s.points.map((point) => point[x]), value: s.points.map((point) => point.value) })),
    grid,
  );
}

/**
 * alignSeries on columns (no object per point: a comparison holds millions).
 * With a `grid` (the x range and pixel columns a downsampled history was read
 * for: the server keeps first, last, lowest and highest point per column),
 * the points inside it line up by pixel column instead of by exact x: the
 * k-th point a series has in column b goes to row (b, k), at the smallest x
 * any series has there (exact where the runs logged the same steps; never
 * outside the column). Downsampled runs keep points at different steps, so
 * aligned exactly, 100 of them make a table of every step (~100,000 rows);
 * by column it has about 4 rows per pixel. Points outside the grid (appended
 * live past its end) keep their x.
 */
export function alignColumns(series: readonly SeriesColumns[], grid?: BucketGrid): AlignedSeries {
  if (!grid || !(grid.x1 > grid.x0) || grid.width < 1) return alignExactly(series);
  // Each point's slot: column × K + k inside the grid, or −1 for an exact x outside it (K: most points of a series in a column).
  let slots = 1;
  const ranks = series.map((s) => {
    const column = new Int32Array(s.x.length);
    const rank = new Int32Array(s.x.length);
    let previous = -1;
    let previousAt = Number.NaN;
    let k = 0;
    for (let i = 0; i < s.x.length; i++) {
      const at = s.x[i]!;
      const b = bucketOf(grid, at);
      column[i] = b;
      if (b < 0) continue;
      // A step logged twice stays one point (its last value), as aligned exactly.
      if (b !== previous) k = 0;
      else if (at !== previousAt) k += 1;
      previous = b;
      previousAt = at;
      rank[i] = k;
      if (k >= slots) slots = k + 1;
    }
    return { column, rank };
  });
  const slotX = new Float64Array(grid.width * slots).fill(Number.POSITIVE_INFINITY);
  const outside = new Set<number>();
  series.forEach((s, j) => {
    const { column, rank } = ranks[j]!;
    for (let i = 0; i < s.x.length; i++) {
      const at = s.x[i]!;
      if (column[i]! < 0) outside.add(at);
      else {
        const slot = column[i]! * slots + rank[i]!;
        if (at < slotX[slot]!) slotX[slot] = at;
      }
    }
  });
  const exact = Float64Array.from(outside).sort();
  const xs: number[] = [];
  const rowOfExact = new Map<number, number>();
  for (const value of exact) if (value < grid.x0) rowOfExact.set(value, xs.push(value) - 1);
  const rowOfSlot = new Int32Array(slotX.length);
  for (let slot = 0; slot < slotX.length; slot++) {
    if (slotX[slot] === Number.POSITIVE_INFINITY) continue;
    // Non-decreasing even where a series' points are out of order.
    rowOfSlot[slot] = xs.push(Math.max(slotX[slot]!, xs[xs.length - 1] ?? Number.NEGATIVE_INFINITY)) - 1;
  }
  for (const value of exact) if (value > grid.x1) rowOfExact.set(value, xs.push(value) - 1);
  const ys = series.map((s, j) => {
    const { column, rank } = ranks[j]!;
    const values: Array<number | null> = new Array(xs.length).fill(null);
    for (let i = 0; i < s.x.length; i++) {
      const row = column[i]! < 0 ? rowOfExact.get(s.x[i]!)! : rowOfSlot[column[i]! * slots + rank[i]!]!;
      values[row] = toChartValue(s.value[i]!);
    }
    return values;
  });
  return [xs, ...ys];
}

function alignExactly(series: readonly SeriesColumns[]): AlignedSeries {
  const distinct = new Set<number>();
  for (const s of series) for (let i = 0; i < s.x.length; i++) distinct.add(s.x[i]!);
  const xs = Array.from(Float64Array.from(distinct).sort());
  const column = new Map(xs.map((value, index) => [value, index]));
  const ys = series.map((s) => {
    const values: Array<number | null> = new Array(xs.length).fill(null);
    // A step logged twice shows its last value, as the log would read.
    for (let i = 0; i < s.x.length; i++) values[column.get(s.x[i]!)!] = toChartValue(s.value[i]!);
    return values;
  });
  return [xs, ...ys];
}

function toChartValue(value: number | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
