/**
 * The compare view's charts as data: one chart per metric, one line per run
 * (and per step, where several steps log the metric) in the run's colour,
 * named by the parameters that tell the runs apart; with smoothing, an
 * exponential moving average over each line and the raw line kept, faded.
 * Pure: no DOM.
 */
import type { ComparedRun } from '@ferry/core';
import { alignSeries, type AlignedSeries, type XAxis } from '../metrics/series-table.js';
import type { HeldSeries } from './history-store.js';
import { seriesKey } from './history-store.js';
import { runLabel } from './runs-table.js';

export interface ChartLine {
  key: string;
  label: string;
  color: string;
  /** Dashed when the palette has run out of colours (more runs than colours). */
  dashed: boolean;
  /** The unsmoothed line behind a smoothed one. */
  faded: boolean;
  runId: string;
}

export interface CompareChartData {
  metric: string;
  lines: ChartLine[];
  data: AlignedSeries;
}

export interface ChartOptions {
  x: XAxis;
  /** EMA weight, 0 (none) to below 1. */
  smoothing: number;
  /** Values ≤ 0 cannot be drawn on a log scale: they become gaps. */
  logY: boolean;
}

/** Each run's colour, by its place in the comparison: the same in the table and every chart. */
export function runColors(runs: readonly ComparedRun[], palette: readonly string[]): Map<string, { color: string; dashed: boolean }> {
  return new Map(runs.map((run, index) => [run.id, { color: palette[index % palette.length]!, dashed: index >= palette.length }]));
}

export function compareCharts(
  runs: readonly ComparedRun[],
  differing: readonly string[],
  metrics: readonly string[],
  held: readonly HeldSeries[],
  palette: readonly string[],
  options: ChartOptions,
): CompareChartData[] {
  const colors = runColors(runs, palette);
  const order = new Map(runs.map((run, index) => [run.id, index]));
  const names = [...new Set([...metrics, ...held.map((s) => s.name)])];
  return names.map((metric) => {
    const series = held
      .filter((s) => s.name === metric && order.has(s.runId))
      .sort((a, b) => order.get(a.runId)! - order.get(b.runId)! || a.stepName.localeCompare(b.stepName));
    const manySteps = new Set(series.map((s) => s.stepName)).size > 1;
    const raw = alignSeries(
      series.map((s) => ({ key: seriesKey(s), label: '', points: s.step.map((step, i) => ({ step, time: s.time[i]!, value: s.value[i]! })) })),
      options.x,
    );
    const [xs, ...ys] = raw;
    const lines: ChartLine[] = [];
    const columns: Array<Array<number | null>> = [];
    series.forEach((s, i) => {
      const run = runs[order.get(s.runId)!]!;
      const { color, dashed } = colors.get(s.runId)!;
      const label = runLabel(run, differing) + (manySteps ? ` · ${s.stepName}` : '');
      const values = options.logY ? ys[i]!.map((v) => (v !== null && v > 0 ? v : null)) : ys[i]!;
      if (options.smoothing > 0) {
        lines.push({ key: `${seriesKey(s)}\u0000raw`, label: `${label} (raw)`, color, dashed, faded: true, runId: s.runId });
        columns.push(values);
      }
      lines.push({ key: seriesKey(s), label, color, dashed, faded: false, runId: s.runId });
      columns.push(options.smoothing > 0 ? ema(values, options.smoothing) : values);
    });
    return { metric, lines, data: [xs, ...columns] };
  });
}

/**
 * Exponential moving average with the start-up bias removed (as TensorBoard
 * smooths), over the values a line has; gaps stay gaps.
 */
export function ema(values: ReadonlyArray<number | null>, weight: number): Array<number | null> {
  let average = 0;
  let norm = 0;
  return values.map((value) => {
    if (value === null || !Number.isFinite(value)) return null;
    average = average * weight + (1 - weight) * value;
    norm = norm * weight + (1 - weight);
    return average / norm;
  });
}
