import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricsHostMessage, MetricsStreamEvent } from '@ferry/core';
import { MetricsSession, runLabel } from './metrics-session.js';

test("a run's metrics view gets the run, then each series' points as the server streams them, then the end", async () => {
  const events: MetricsStreamEvent[] = [
    { type: 'metrics', stepName: 'train', name: 'loss', points: [{ step: 0, value: 1.5, time: 1 }] },
    { type: 'metrics', stepName: 'train', name: 'loss', points: [{ step: 1, value: 0.9, time: 2 }] },
    { type: 'end', state: 'succeeded' },
  ];
  const posted: MetricsHostMessage[] = [];
  const run = { id: 'r-20261202-013000-ab12cd', pipeline: 'train_pipeline', parameters: { epochs: 3 } };
  await new MetricsSession({ followMetrics: async function* () { yield* events; } }, run, (m) => posted.push(m)).start();
  assert.deepEqual(posted, [
    { type: 'metrics/init', runs: [{ runId: run.id, label: 'train_pipeline ab12cd (epochs=3)', series: [] }] },
    { type: 'metrics/append', runId: run.id, stepName: 'train', name: 'loss', points: [{ step: 0, value: 1.5, time: 1 }] },
    { type: 'metrics/append', runId: run.id, stepName: 'train', name: 'loss', points: [{ step: 1, value: 0.9, time: 2 }] },
    { type: 'metrics/end', runId: run.id, state: 'succeeded' },
  ]);
  assert.equal(runLabel({ ...run, parameters: {} }), 'train_pipeline ab12cd');
});
