/**
 * The compare view's charts as data: one chart per metric, one line per run
 * (and per step, where several steps log the metric) in the run's colour,
 * named by the parameters that tell the runs apart; with smoothing, an
 * exponential moving average over each line and the raw line kept, faded.
 * The x axis is the step, the wall time, the relative time (seconds since
 * each run's first point, so runs started apart line up), or the epoch in
 * force at each point's step (see epoch-axis.ts). With seeds
 * grouped, the runs that differ only in a seed become one mean line per group
 * (and step) inside a band from their lowest to their highest value. Pure: no DOM.
 */
import type { ComparedRun } from '@ferry/core';
import type { BucketGrid, HistoryAxis } from '@ferry/core';
import { alignColumns, type AlignedSeries, type SeriesColumns } from '../metrics/series-table.js';
import { EPOCH_METRIC, epochLookups } from './epoch-axis.js';
import type { HeldSeries } from './history-store.js';
import { seriesKey } from './history-store.js';
import { runLabel } from './runs-table.js';
import { groupLabel, seedGroups, spread } from './seed-groups.js';

export interface ChartLine {
  key: string;
  label: string;
  color: string;
  /** Dashed when the palette has run out of colours (more runs than colours). */
  dashed: boolean;
  /** The unsmoothed line behind a smoothed one. */
  faded: boolean;
  /** An edge of a seed group's band: not stroked, no legend row. */
  band?: boolean;
  /** The run the line is of (a seed group's first run). */
  runId: string;
  /** Every run the line stands for: its run, or a seed group's runs. */
  members: readonly string[];
  /** The pipeline step that logged the line. */
  stepName: string;
}

/** What the charts' x axis shows: `relative` is seconds since each run's first point; `epoch` the epoch in force at a point's step. */
export type CompareX = 'step' | 'time' | 'relative' | 'epoch';

/** The axis the host reads histories on for an x axis (relative time is wall time, shifted per run here; epochs are mapped from steps here). */
export function historyAxis(x: CompareX): HistoryAxis {
  return x === 'step' || x === 'epoch' ? 'step' : 'time';
}

export interface CompareChartData {
  metric: string;
  lines: ChartLine[];
  data: AlignedSeries;
  /** Filled between two series (uPlot's indices, the upper first): a seed group's lowest to highest. */
  bands: Array<[number, number]>;
}

export interface ChartOptions {
  x: CompareX;
  /** Each run's first time (relative time counts from it); a run missing here counts from its own first point held. */
  runStarts?: ReadonlyMap<string, number>;
  /** EMA weight, 0 (none) to below 1. */
  smoothing: number;
  /** Values ≤ 0 cannot be drawn on a log scale: they become gaps. */
  logY: boolean;
  /** Runs that differ only in a seed drawn as one mean line with a min–max band. */
  groupSeeds?: boolean;
  /** The grid the histories were downsampled on: on that same axis, lines are aligned by its pixel columns (alignSeries). */
  grid?: BucketGrid & { x: HistoryAxis };
}

/** Each run's colour, by its place in the comparison: the same in the table and every chart. */
export function runColors(runs: readonly ComparedRun[], palette: readonly string[]): Map<string, { color: string; dashed: boolean }> {
  return new Map(runs.map((run, index) => [run.id, { color: palette[index % palette.length]!, dashed: index >= palette.length }]));
}

/** Every chart's data at once. */
export function compareCharts(...args: Parameters<typeof compareChartSet>): CompareChartData[] {
  const charts = compareChartSet(...args);
  return charts.metrics.map((metric) => charts.chart(metric));
}

/** The charts' metrics, and each chart's data made when first asked for (and kept): a view draws the charts in sight first. */
export interface CompareChartSet {
  metrics: string[];
  chart(metric: string): CompareChartData;
  /** The most lines (not counting raw lines and band edges) any chart has: known without making the charts. */
  mostLines: number;
}

export function compareChartSet(
  runs: readonly ComparedRun[],
  differing: readonly string[],
  metrics: readonly string[],
  held: readonly HeldSeries[],
  palette: readonly string[],
  options: ChartOptions,
): CompareChartSet {
  const colors = runColors(runs, palette);
  const order = new Map(runs.map((run, index) => [run.id, index]));
  // On epochs, the epoch series would only be drawn against itself; a run without one has no curves.
  const epochs = options.x === 'epoch' ? epochLookups(held) : undefined;
  const names = [...new Set([...metrics, ...held.map((s) => s.name)])].filter((name) => !epochs || name !== EPOCH_METRIC);
  const made = new Map<string, CompareChartData>();
  const chart = (metric: string) => made.get(metric) ?? made.set(metric, makeChart(metric)).get(metric)!;
  // A line per run (a seed group's runs share one) and step.
  const groupOf = options.groupSeeds ? new Map(seedGroups(runs).flatMap((group) => group.runs.map((run) => [run.id, group.key] as const))) : undefined;
  const lineKeys = new Map<string, Set<string>>();
  for (const s of held) {
    if (!order.has(s.runId)) continue;
    const keys = lineKeys.get(s.name) ?? lineKeys.set(s.name, new Set()).get(s.name)!;
    keys.add(`${groupOf?.get(s.runId) ?? s.runId}\u0000${s.stepName}`);
  }
  const mostLines = Math.max(0, ...names.map((name) => lineKeys.get(name)?.size ?? 0));
  return { metrics: names, chart, mostLines };

  function makeChart(metric: string): CompareChartData {
    const series = held
      .filter((s) => s.name === metric && order.has(s.runId) && (!epochs || epochs(s.runId, s.stepName)))
      .sort((a, b) => order.get(a.runId)! - order.get(b.runId)! || a.stepName.localeCompare(b.stepName));
    const manySteps = new Set(series.map((s) => s.stepName)).size > 1;
    const raw = alignColumns(
      series.map((s): SeriesColumns => {
        if (options.x === 'step' || options.x === 'time') return { x: s[options.x], value: s.value };
        if (options.x === 'relative') {
          const start = options.runStarts?.get(s.runId) ?? s.time[0] ?? 0;
          return { x: s.time.map((time) => time - start), value: s.value };
        }
        // Each point at its step's epoch; several points in one epoch show the last, as a step logged twice does.
        const epochAt = epochs!(s.runId, s.stepName)!;
        const onEpochs: { x: number[]; value: number[] } = { x: [], value: [] };
        s.step.forEach((step, i) => {
          const epoch = epochAt(step);
          if (epoch === undefined) return;
          onEpochs.x.push(epoch);
          onEpochs.value.push(s.value[i]!);
        });
        return onEpochs;
      }),
      options.grid?.x === options.x ? options.grid : undefined,
    );
    const [xs, ...ys] = raw;
    const lines: ChartLine[] = [];
    const columns: Array<Array<number | null>> = [];
    const bands: Array<[number, number]> = [];
    const drawable = (i: number) => (options.logY ? ys[i]!.map((v) => (v !== null && v > 0 ? v : null)) : ys[i]!);
    const smoothed = (values: Array<number | null>) => (options.smoothing > 0 ? ema(values, options.smoothing) : values);
    if (options.groupSeeds) {
      const index = new Map(series.map((s, i) => [seriesKey(s), i]));
      for (const group of seedGroups(runs)) {
        const members = group.runs.map((run) => run.id);
        const { color, dashed } = colors.get(members[0]!)!;
        for (const stepName of [...new Set(series.filter((s) => members.includes(s.runId)).map((s) => s.stepName))].sort()) {
          const of = members.map((runId) => index.get(seriesKey({ runId, stepName, name: metric }))).filter((i) => i !== undefined);
          const { mean, min, max } = spread(of.map((i) => smoothed(drawable(i))));
          const key = `${group.key}\u0000${stepName}`;
          const label = groupLabel(group, differing) + (manySteps ? ` · ${stepName}` : '');
          const line = { color, dashed, faded: false, runId: members[0]!, members, stepName };
          if (of.length > 1) {
            lines.push({ ...line, key: `${key}\u0000max`, label: `${label} (max)`, band: true });
            lines.push({ ...line, key: `${key}\u0000min`, label: `${label} (min)`, band: true });
            columns.push(max, min);
            bands.push([columns.length - 1, columns.length]);
          }
          lines.push({ ...line, key, label });
          columns.push(mean);
        }
      }
      return { metric, lines, data: [xs, ...columns], bands };
    }
    series.forEach((s, i) => {
      const run = runs[order.get(s.runId)!]!;
      const { color, dashed } = colors.get(s.runId)!;
      const label = runLabel(run, differing) + (manySteps ? ` · ${s.stepName}` : '');
      const values = drawable(i);
      const line = { color, dashed, runId: s.runId, members: [s.runId], stepName: s.stepName };
      if (options.smoothing > 0) {
        lines.push({ ...line, key: `${seriesKey(s)}\u0000raw`, label: `${label} (raw)`, faded: true });
        columns.push(values);
      }
      lines.push({ ...line, key: seriesKey(s), label, faded: false });
      columns.push(smoothed(values));
    });
    return { metric, lines, data: [xs, ...columns], bands };
  }
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
