/**
 * What a metrics view shows: the runs the host sent and the points streamed
 * since, grouped into charts (one per metric, or all in one). Pure: no DOM.
 */
import type { MetricsAppendMessage, MetricSeries, MetricsRun } from '@ferry/core';
import type { ChartSeriesInput, XAxis } from './series-table.js';

export type ChartLayout = 'per-metric' | 'single';

export interface ChartSpec {
  key: string;
  title: string;
  series: ChartSeriesInput[];
}

export class MetricsModel {
  runs: MetricsRun[] = [];
  x: XAxis = 'step';
  /** Final state of each run that has ended, by run id. */
  ended = new Map<string, string>();

  init(runs: MetricsRun[], x: XAxis = 'step'): void {
    // Copies, so appends never change what the host handed over.
    this.runs = runs.map((run) => ({ ...run, series: run.series.map((s) => ({ ...s, points: s.points.map(readPoint) })) }));
    this.x = x;
    this.ended.clear();
  }

  /** Adds streamed points; a series or run not seen before is created. */
  append(message: Omit<MetricsAppendMessage, 'type'>): void {
    let run = this.runs.find((r) => r.runId === message.runId);
    if (!run) {
      run = { runId: message.runId, label: message.runId, series: [] };
      this.runs.push(run);
    }
    let series = run.series.find((s) => s.stepName === message.stepName && s.name === message.name);
    if (!series) {
      series = { stepName: message.stepName, name: message.name, points: [] };
      run.series.push(series);
    }
    series.points.push(...message.points.map(readPoint));
  }

  charts(layout: ChartLayout): ChartSpec[] {
    const all = this.runs.flatMap((run) => run.series.map((series) => ({ run, series })));
    const stepsByMetric = new Map<string, Set<string>>();
    for (const { series } of all) stepsByMetric.set(series.name, (stepsByMetric.get(series.name) ?? new Set()).add(series.stepName));
    const manyRuns = this.runs.length > 1;
    const toInput = ({ run, series }: { run: MetricsRun; series: MetricSeries }): ChartSeriesInput => {
      const parts = [
        manyRuns ? run.label : '',
        stepsByMetric.get(series.name)!.size > 1 ? series.stepName : '',
        layout === 'single' ? series.name : '',
      ].filter(Boolean);
      return { key: `${run.runId}\u0000${series.stepName}\u0000${series.name}`, label: parts.join(' · ') || series.name, points: series.points };
    };
    if (layout === 'single') return all.length ? [{ key: 'all', title: 'Metrics', series: all.map(toInput) }] : [];
    const names = [...new Set(all.map(({ series }) => series.name))];
    return names.map((name) => ({ key: name, title: name, series: all.filter(({ series }) => series.name === name).map(toInput) }));
  }
}

/** JSON carries NaN as null: read it back as NaN. */
function readPoint(point: { step: number; value: number | null; time: number }) {
  return { step: point.step, value: point.value ?? Number.NaN, time: point.time };
}
