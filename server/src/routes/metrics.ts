import { isFinalRunState, type MetricPoint, type MetricsStreamEvent } from '@ferry/core';
import type { Router } from '../http/router.js';
import { sendJson } from '../http/respond.js';
import { openEventStream } from '../http/sse.js';
import type { ServerContext } from './context.js';

interface MetricsEvent {
  runId: string;
  stepName: string;
  points: Array<MetricPoint & { name: string }>;
}

export function registerMetricRoutes(router: Router, { engine }: ServerContext): void {
  router.on('GET', '/api/runs/:id/metrics', async ({ res, params }) => {
    sendJson(res, 200, { series: await engine.getMetrics(params.id!) });
  });

  router.on('GET', '/api/runs/:id/metrics/events', async ({ req, res, params }) => {
    const runId = params.id!;
    await engine.getRun(runId); // 404 before the stream opens
    // Listen before reading the snapshot and hold what arrives meanwhile, so
    // no point falls between the snapshot and the live feed.
    let pending: MetricsEvent[] | undefined = [];
    const stream = openEventStream(req, res);
    const forward = (event: MetricsEvent) => {
      const byName = new Map<string, MetricPoint[]>();
      for (const { name, ...point } of event.points) {
        byName.set(name, [...(byName.get(name) ?? []), point]);
      }
      for (const [name, points] of byName) {
        stream.send({ type: 'metrics', stepName: event.stepName, name, points } satisfies MetricsStreamEvent);
      }
    };
    const onMetrics = (event: MetricsEvent) => {
      if (event.runId !== runId) return;
      if (pending) pending.push(event);
      else forward(event);
    };
    const onChange = async (event: { runId: string; step?: string }) => {
      if (event.runId !== runId || event.step !== undefined) return;
      const run = await engine.getRun(runId);
      if (isFinalRunState(run.state)) {
        stream.send({ type: 'end', state: run.state } satisfies MetricsStreamEvent);
        stream.end();
      }
    };
    engine.on('metrics', onMetrics);
    engine.on('change', onChange);
    // Live curves: every step of the run is polled fast while someone follows them.
    const unwatch = engine.watch(runId);
    stream.onClose(() => {
      unwatch();
      engine.off('metrics', onMetrics);
      engine.off('change', onChange);
    });
    const snapshot = await engine.getMetrics(runId);
    for (const series of snapshot) {
      stream.send({ type: 'metrics', stepName: series.stepName, name: series.name, points: series.points } satisfies MetricsStreamEvent);
    }
    const held = pending;
    pending = undefined;
    for (const event of held) forward(event);
    await onChange({ runId });
  });
}
