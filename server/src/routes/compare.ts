/**
 * Comparing runs: the side-by-side table, downsampled metric histories for
 * charts, and live deltas of those histories. The logic is in
 * @ferry/core's RunComparison; this maps query strings onto it.
 */
import { FerryError, isFinalRunState, type CompareStreamEvent, type HistoryAxis, type RunState } from '@ferry/core';
import { seriesKey } from '@ferry/core/node';
import type { MetricsEvent, RunChangeEvent } from '@ferry/core/node';
import type { Router } from '../http/router.js';
import { intParam, sendJson } from '../http/respond.js';
import { openEventStream } from '../http/sse.js';
import type { ServerContext } from './context.js';

export function registerCompareRoutes(router: Router, { engine }: ServerContext): void {
  router.on('GET', '/api/compare', ({ res, query }) => {
    sendJson(res, 200, engine.comparison().compare(query.getAll('run')));
  });

  router.on('GET', '/api/compare/history', ({ res, query }) => {
    const x = query.get('x') ?? 'step';
    sendJson(
      res,
      200,
      engine.comparison().history({
        runs: query.getAll('run'),
        metrics: query.getAll('metric'),
        width: intParam(query, 'width', 0, { min: 1 }) || missing('width'),
        x: x as HistoryAxis,
        ...numberParam(query, 'x0'),
        ...numberParam(query, 'x1'),
      }),
    );
  });

  router.on('GET', '/api/compare/events', async ({ req, res, query }) => {
    const runIds = [...new Set(query.getAll('run'))];
    const metrics = new Set(query.getAll('metric'));
    const states = new Map<string, RunState>();
    for (const id of runIds) states.set(id, (await engine.getRun(id)).state); // 404 for an unknown run, before the stream opens
    if (runIds.length === 0) throw new FerryError('request', 'name at least one run to follow', { field: 'run' });
    // From here on the counts are read and the listeners added in one synchronous stretch:
    // the store is written and its event emitted in one too, so each point
    // is either counted here or delivered as a delta, never both or neither.
    const counts = engine.comparison().seriesCounts(runIds);
    const stream = openEventStream(req, res);
    const onMetrics = (event: MetricsEvent) => {
      if (!states.has(event.runId)) return;
      const byName = new Map<string, CompareStreamEvent & { type: 'points' }>();
      for (const point of event.points) {
        if (metrics.size > 0 && !metrics.has(point.name)) continue;
        let delta = byName.get(point.name);
        if (!delta) {
          const key = seriesKey({ runId: event.runId, stepName: event.stepName, name: point.name });
          delta = { type: 'points', runId: event.runId, stepName: event.stepName, name: point.name, from: counts.get(key) ?? 0, step: [], time: [], value: [] };
          byName.set(point.name, delta);
        }
        delta.step.push(point.step);
        delta.time.push(point.time);
        delta.value.push(Number.isNaN(point.value) ? null : point.value);
      }
      for (const delta of byName.values()) {
        counts.set(seriesKey(delta), delta.from + delta.step.length);
        stream.send(delta satisfies CompareStreamEvent);
      }
    };
    const onChange = (event: RunChangeEvent) => {
      if (event.step !== undefined || !states.has(event.runId) || !isFinalRunState(event.run.state)) return;
      states.set(event.runId, event.run.state);
      stream.send({ type: 'run', runId: event.runId, state: event.run.state } satisfies CompareStreamEvent);
      endWhenAllFinished();
    };
    const endWhenAllFinished = () => {
      if ([...states.values()].every(isFinalRunState)) {
        stream.send({ type: 'end' } satisfies CompareStreamEvent);
        stream.end();
      }
    };
    engine.on('metrics', onMetrics);
    engine.on('change', onChange);
    // Live curves: the runs still going are polled fast while someone watches them.
    const releases = runIds.filter((id) => !isFinalRunState(states.get(id)!)).map((id) => engine.watch(id));
    stream.onClose(() => {
      for (const release of releases) release();
      engine.off('metrics', onMetrics);
      engine.off('change', onChange);
    });
    endWhenAllFinished();
  });
}

function numberParam(query: URLSearchParams, name: 'x0' | 'x1'): { x0?: number; x1?: number } {
  const raw = query.get(name);
  if (raw === null || raw === '') return {};
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new FerryError('request', `query parameter ${name} must be a number, got '${raw}'`, { field: name });
  return { [name]: value };
}

function missing(name: string): never {
  throw new FerryError('request', `query parameter ${name} is required`, { field: name });
}
