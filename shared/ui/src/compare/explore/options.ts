/**
 * The exploration charts' ECharts options, built from a spec: parallel
 * coordinates (an axis per differing parameter and metric column, a line per
 * run, brushable), a parameter-vs-metric scatter and bars of a reduced metric
 * with the best run marked. Every run keeps its colour from the curves;
 * axes and text take the theme's colours, so the charts follow the IDE's
 * theme. Pure: plain objects, no ECharts import, so they are tested in Node.
 */
import { bestValue, formatMetric } from '../runs-table.js';
import { axisValue, type ExploreAxis } from './axes.js';
import { axisTitleText as axisTitle } from './axis-title.js';
import type { ExploreRun, ExploreSpec } from './types.js';

/** An ECharts option as built here: plain data (and a few formatter functions). */
export type ExploreOption = Record<string, unknown>;


function themeAxis(spec: ExploreSpec) {
  const { text, grid } = spec.theme;
  return {
    nameTextStyle: { color: text },
    axisLine: { lineStyle: { color: text } },
    axisTick: { lineStyle: { color: text } },
    axisLabel: { color: text },
    splitLine: { lineStyle: { color: grid } },
  };
}

export function buildOption(spec: ExploreSpec): ExploreOption {
  switch (spec.kind) {
    case 'parallel':
      return parallelOption(spec);
    case 'scatter':
      return scatterOption(spec);
    case 'bars':
      return barOption(spec);
  }
}

export function parallelOption(spec: Extract<ExploreSpec, { kind: 'parallel' }>): ExploreOption {
  const { axes, runs } = spec;
  return {
    animation: false,
    textStyle: { color: spec.theme.text },
    parallel: {
      left: 60,
      right: 90,
      top: 50,
      bottom: 30,
      parallelAxisDefault: {
        ...themeAxis(spec),
        splitLine: { show: false },
        nameLocation: 'end',
        nameGap: 16,
        // The table filters once the drag ends, not on every mouse move.
        realtime: false,
        areaSelectStyle: { width: 24 },
      },
    },
    parallelAxis: axes.map((axis, dim) => ({
      dim,
      id: axis.key,
      name: axisTitle(axis),
      ...(axis.categories ? { type: 'category', data: axis.categories } : { type: 'value', scale: true }),
    })),
    series: [
      {
        id: 'runs',
        type: 'parallel',
        // Lines outside the brush fade, as the table drops their rows.
        inactiveOpacity: 0.08,
        activeOpacity: 1,
        lineStyle: { width: 2, opacity: 0.9 },
        data: runs.map(({ run, label, color, dashed }) => ({
          name: label,
          value: axes.map((axis) => axisValue(run, axis) ?? null),
          lineStyle: { color, type: dashed ? 'dashed' : 'solid' },
        })),
      },
    ],
  };
}

/** The parameter on x and the metric on y: the chosen ones, else the first of each. */
export function scatterAxes(axes: readonly ExploreAxis[], x: string | undefined, y: string | undefined): { x?: ExploreAxis; y?: ExploreAxis } {
  const parameters = axes.filter((axis) => axis.kind === 'parameter');
  const metrics = axes.filter((axis) => axis.kind === 'metric');
  return { x: parameters.find((axis) => axis.key === x) ?? parameters[0], y: metrics.find((axis) => axis.key === y) ?? metrics[0] };
}

export function scatterOption(spec: Extract<ExploreSpec, { kind: 'scatter' }>): ExploreOption {
  const { x, y } = scatterAxes(spec.axes, spec.x, spec.y);
  if (!x || !y) return { animation: false, series: [] };
  const points = spec.runs.flatMap(({ run, label, color }) => {
    const xValue = axisValue(run, x);
    const yValue = axisValue(run, y);
    return xValue === undefined || yValue === undefined ? [] : [{ name: label, runId: run.id, value: [xValue, yValue], itemStyle: { color } }];
  });
  return {
    animation: false,
    textStyle: { color: spec.theme.text },
    grid: { left: 70, right: 30, top: 30, bottom: 55 },
    tooltip: { trigger: 'item', formatter: (item: { name: string; value: [unknown, number] }) => `${item.name}: ${formatMetric(item.value[1])}` },
    xAxis: {
      ...themeAxis(spec),
      name: axisTitle(x),
      nameLocation: 'middle',
      nameGap: 30,
      ...(x.categories ? { type: 'category', data: x.categories } : { type: 'value', scale: true }),
    },
    yAxis: { ...themeAxis(spec), name: axisTitle(y), type: 'value', scale: true },
    series: [{ id: 'runs', type: 'scatter', symbolSize: 12, data: points }],
  };
}

/** The metric the bars show: the chosen one, else the first. */
export function barAxis(axes: readonly ExploreAxis[], metric: string | undefined): ExploreAxis | undefined {
  const metrics = axes.filter((axis) => axis.kind === 'metric');
  return metrics.find((axis) => axis.key === metric) ?? metrics[0];
}

/** The runs with the best reduced value by the metric's goal (ties: all of them); none without a goal. */
export function bestRuns(runs: readonly ExploreRun[], axis: ExploreAxis): Set<string> {
  if (axis.kind !== 'metric' || !axis.choice) return new Set();
  // The table's own best value of the column (it marks the same cells).
  const best = bestValue(runs.map(({ run }) => run), { kind: 'metric', key: axis.key, name: axis.name, choice: axis.choice });
  return new Set(best === undefined ? [] : runs.filter(({ run }) => axisValue(run, axis) === best).map(({ run }) => run.id));
}

export function barOption(spec: Extract<ExploreSpec, { kind: 'bars' }>): ExploreOption {
  const axis = barAxis(spec.axes, spec.metric);
  if (!axis) return { animation: false, series: [] };
  const best = bestRuns(spec.runs, axis);
  const { text } = spec.theme;
  return {
    animation: false,
    textStyle: { color: text },
    grid: { left: 70, right: 30, top: 40, bottom: 80 },
    tooltip: { trigger: 'item', formatter: (item: { name: string; value: number }) => `${item.name}: ${formatMetric(item.value)}` },
    xAxis: { ...themeAxis(spec), type: 'category', data: spec.runs.map(({ label }) => label), axisLabel: { color: text, rotate: 30, interval: 0, width: 140, overflow: 'truncate' } },
    yAxis: { ...themeAxis(spec), type: 'value', scale: true, name: axisTitle(axis) },
    series: [
      {
        id: 'runs',
        type: 'bar',
        data: spec.runs.map(({ run, label, color }) => {
          const isBest = best.has(run.id);
          return {
            name: label,
            runId: run.id,
            value: axisValue(run, axis) ?? null,
            itemStyle: { color, ...(isBest ? { borderColor: text, borderWidth: 2 } : {}) },
            ...(isBest ? { label: { show: true, position: 'top', color: text, formatter: '★ best' } } : {}),
          };
        }),
      },
    ],
  };
}
