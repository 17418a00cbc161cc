/**
 * What the exploration charts plot, and the brush of the parallel
 * coordinates as a filter of the runs: one axis per differing parameter
 * (numbers on a value axis, anything else on a category axis) and one per
 * metric column, reduced as the table shows it. A brushed range of a
 * category axis is in category positions (0, 1, …), as ECharts reports it.
 * Pure: no DOM, no ECharts, so the main bundle can filter the table without
 * loading the charts.
 */
import type { ComparedRun } from '@ferry/core';
import { metricValue, parameterText, type Column, type MetricChoice } from '../runs-table.js';

export interface ExploreAxis {
  /** The table column's key (`parameter:NAME`, `metric:NAME`): the axis's id in the chart too. */
  key: string;
  name: string;
  kind: 'parameter' | 'metric';
  /** Present on a category axis: the values' texts, in axis order. */
  categories?: string[];
  /** A metric axis's reducer and goal, the table's choice. */
  choice?: MetricChoice;
}

/** Brushed ranges per axis key; an axis with no range (or absent) keeps every run. */
export type BrushRanges = ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>;

export function exploreAxes(runs: readonly ComparedRun[], columns: readonly Column[], differing: readonly string[]): ExploreAxis[] {
  const axes: ExploreAxis[] = [];
  for (const column of columns) {
    if (column.kind === 'parameter' && differing.includes(column.name)) {
      const values = runs.map((run) => run.parameters[column.name]).filter((value) => value !== undefined);
      const numeric = values.length > 0 && values.every((value) => typeof value === 'number');
      if (numeric) axes.push({ key: column.key, name: column.name, kind: 'parameter' });
      else {
        const categories = [...new Set(values.map((value) => parameterText(value!)))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
        axes.push({ key: column.key, name: column.name, kind: 'parameter', categories });
      }
    } else if (column.kind === 'metric') {
      axes.push({ key: column.key, name: column.name, kind: 'metric', choice: column.choice });
    }
  }
  return axes;
}

/** A run's value on an axis: a number on a value axis, the text on a category axis; undefined where it has none. */
export function axisValue(run: ComparedRun, axis: ExploreAxis): number | string | undefined {
  if (axis.kind === 'metric') return metricValue(run, axis.name, axis.choice!.reducer);
  const value = run.parameters[axis.name];
  if (value === undefined) return undefined;
  if (axis.categories) return parameterText(value);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Where a run sits on an axis in the chart's coordinates (a category's position); undefined where it has no value. */
export function axisPosition(run: ComparedRun, axis: ExploreAxis): number | undefined {
  const value = axisValue(run, axis);
  if (value === undefined) return undefined;
  if (axis.categories) {
    const index = axis.categories.indexOf(String(value));
    return index < 0 ? undefined : index;
  }
  return value as number;
}

/**
 * The runs the brush keeps: inside a range of every brushed axis (any of an
 * axis's ranges; ends included), as ECharts fades the other lines. A run with
 * no value on a brushed axis is out. Undefined when nothing is brushed (every
 * run shows); ranges of axes no longer shown are ignored.
 */
export function keptRunIds(runs: readonly ComparedRun[], axes: readonly ExploreAxis[], brush: BrushRanges): Set<string> | undefined {
  const active = axes.filter((axis) => (brush.get(axis.key)?.length ?? 0) > 0);
  if (active.length === 0) return undefined;
  const kept = runs.filter((run) =>
    active.every((axis) => {
      const position = axisPosition(run, axis);
      return position !== undefined && brush.get(axis.key)!.some(([a, b]) => Math.min(a, b) <= position && position <= Math.max(a, b));
    }),
  );
  return new Set(kept.map((run) => run.id));
}

/** The brush with one axis's ranges replaced (none: that axis cleared); the same map when nothing changes, so React skips a render. */
export function withAxisBrush(brush: BrushRanges, axis: string, ranges: ReadonlyArray<readonly [number, number]>): BrushRanges {
  const before = brush.get(axis) ?? [];
  if (JSON.stringify(before) === JSON.stringify(ranges)) return brush;
  const next = new Map(brush);
  if (ranges.length) next.set(axis, ranges.map(([a, b]) => [a, b] as const));
  else next.delete(axis);
  return next;
}
