/**
 * Comparing runs from the store: the side-by-side table (parameters,
 * reduced metrics, job facts) and metric histories downsampled for charts.
 * The pure parts (diffs, reducers, downsampling) live in src/compare/.
 */
import type { CompareResponse, ComparedRun, HistoryRequest, HistoryResponse } from '../../api/compare-contract.js';
import { extentOf, type BucketGrid } from '../../compare/downsample.js';
import { UNRECORDED_JOB_FACTS, jobFacts } from '../../compare/job-facts.js';
import { differingParameters, parameterNames } from '../../compare/parameters.js';
import { metricColumn } from '../../compare/reducers.js';
import { FerryError } from '../../errors.js';
import { toReducedMetric, type SeriesSummary } from '../store/metric-history.js';
import type { TargetConfig } from '../config.js';
import type { RunStore } from '../store/run-store.js';
import { targetPlace } from './target-place.js';

/** Most runs one comparison takes: their ids travel in the query string, which the server caps at 16 KiB. */
export const MAX_COMPARED_RUNS = 300;
/** Widest chart a history is downsampled for (a 4K screen with room to spare). */
export const MAX_HISTORY_WIDTH = 10_000;

export class RunComparison {
  /**
   * `targets`: the configured targets, which say where each run was sent
   * (its place); a run whose target is no longer configured has none.
   */
  constructor(
    private readonly store: RunStore,
    private readonly targets: Readonly<Record<string, TargetConfig>> = {},
  ) {}

  /** The runs in the order given; an unknown id is a 'not-found' error naming it. */
  compare(runIds: readonly string[]): CompareResponse {
    const ids = checkRunIds(runIds);
    const runs: ComparedRun[] = ids.map((id) => {
      const run = this.store.getRunWithSpec(id);
      return {
        id: run.id,
        pipeline: run.pipeline,
        createdAt: run.createdAt,
        ...(run.sweepId !== undefined && { sweepId: run.sweepId }),
        ...(run.sweepIndex !== undefined && { sweepIndex: run.sweepIndex }),
        parameters: run.parameters,
        metrics: this.store.metricHistory.summaries(id).map(toReducedMetric),
        job: jobFacts(run, this.store.stateChanges(id), { place: targetPlace(this.targets[run.target]) }),
      };
    });
    const metricNames = [...new Set(runs.flatMap((run) => run.metrics.map((metric) => metric.name)))];
    return {
      runs,
      parameters: parameterNames(runs),
      differingParameters: differingParameters(runs),
      metrics: metricNames.map((name) => metricColumn(name)),
      unrecorded: [...UNRECORDED_JOB_FACTS],
    };
  }

  /** Every series of the given runs and metric names, downsampled onto one grid. */
  history(request: HistoryRequest): HistoryResponse {
    const ids = checkRunIds(request.runs);
    const axis = request.x ?? 'step';
    if (axis !== 'step' && axis !== 'time') throw new FerryError('request', `x must be step or time, got '${String(axis)}'`, { field: 'x' });
    if (!Number.isInteger(request.width) || request.width < 1 || request.width > MAX_HISTORY_WIDTH) {
      throw new FerryError('request', `width must be a whole number of pixels from 1 to ${MAX_HISTORY_WIDTH}, got ${request.width}`, { field: 'width' });
    }
    if (request.metrics.length === 0) throw new FerryError('request', 'name at least one metric', { field: 'metric' });
    const wanted = new Set(request.metrics);
    const all = ids.flatMap((id) => {
      this.store.getRun(id); // 'not-found' for an unknown run
      return this.store.metricHistory.summaries(id);
    });
    const missing = request.metrics.filter((name) => !all.some((summary) => summary.name === name));
    if (missing.length > 0) {
      const known = [...new Set(all.map((summary) => summary.name))].join(', ') || 'none';
      throw new FerryError('not-found', `no run of ${ids.join(', ')} has a metric named ${missing.map((name) => `'${name}'`).join(', ')} (metrics: ${known})`, {
        field: 'metric',
      });
    }
    const series = all.filter((summary) => wanted.has(summary.name));
    const range = rangeOf(series, axis, request);
    if (!range) return { x: axis, width: request.width, series: [] };
    const grid: BucketGrid = { ...range, width: request.width };
    return { x: axis, ...range, width: request.width, series: series.map((summary) => this.store.metricHistory.history(summary, axis, grid)) };
  }

  /** Points in each series of the runs now, by `runId/stepName/name`: where live deltas continue from. */
  seriesCounts(runIds: readonly string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const id of checkRunIds(runIds)) {
      this.store.getRun(id);
      for (const summary of this.store.metricHistory.summaries(id)) counts.set(seriesKey(summary), summary.block.count);
    }
    return counts;
  }
}

export function seriesKey(series: { runId: string; stepName: string; name: string }): string {
  return JSON.stringify([series.runId, series.stepName, series.name]);
}

function checkRunIds(runIds: readonly string[]): string[] {
  if (runIds.length === 0) throw new FerryError('request', 'name at least one run to compare', { field: 'run' });
  if (runIds.length > MAX_COMPARED_RUNS) throw new FerryError('request', `compare at most ${MAX_COMPARED_RUNS} runs at once, got ${runIds.length}`, { field: 'run' });
  return [...new Set(runIds)];
}

/** The asked range, each end defaulting to the extent of all the series. */
function rangeOf(series: readonly SeriesSummary[], axis: 'step' | 'time', request: HistoryRequest): { x0: number; x1: number } | undefined {
  for (const [field, value] of [['x0', request.x0], ['x1', request.x1]] as const) {
    if (value !== undefined && !Number.isFinite(value)) throw new FerryError('request', `${field} must be a number, got ${value}`, { field });
  }
  const extent = extentOf(series.map(({ block }) => (axis === 'step' ? { min: block.loStep, max: block.hiStep } : { min: block.loTime, max: block.hiTime })));
  const x0 = request.x0 ?? extent?.x0;
  const x1 = request.x1 ?? extent?.x1;
  if (x0 === undefined || x1 === undefined) return undefined;
  if (x1 < x0) throw new FerryError('request', `x1 (${x1}) must not be below x0 (${x0})`, { field: 'x1' });
  return { x0, x1 };
}
