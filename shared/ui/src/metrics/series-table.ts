/**
 * Metric series as uPlot wants them: one shared, ascending x array and one
 * y array per series with null where a series has no point at that x (runs
 * overlaid in one chart rarely log the same steps). Pure: no DOM.
 */
import type { MetricPoint } from '@ferry/core';

export type XAxis = 'step' | 'time';

export interface ChartSeriesInput {
  /** Stable identity (run, step, metric), so a chart can tell new series from known ones. */
  key: string;
  label: string;
  points: readonly MetricPoint[];
}

/** `[xs, ys1, ys2, …]`; a NaN (or null, as JSON carries NaN) value is a gap. */
export type AlignedSeries = [number[], ...Array<Array<number | null>>];

export function alignSeries(series: readonly ChartSeriesInput[], x: XAxis): AlignedSeries {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[x])))].sort((a, b) => a - b);
  const column = new Map(xs.map((value, index) => [value, index]));
  const ys = series.map((s) => {
    const values: Array<number | null> = new Array(xs.length).fill(null);
    // A step logged twice shows its last value, as the log would read.
    for (const point of s.points) values[column.get(point[x])!] = toChartValue(point.value);
    return values;
  });
  return [xs, ...ys];
}

function toChartValue(value: number | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
