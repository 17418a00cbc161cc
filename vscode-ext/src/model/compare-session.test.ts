import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompareHostMessage, CompareResponse, CompareStreamEvent, HistoryRequest, HistoryResponse } from '@ferry/core';
import { CompareSession, runIdsOf } from './compare-session.js';

const table = (state: string): CompareResponse => ({
  runs: [],
  parameters: [],
  differingParameters: [state],
  metrics: [{ name: 'loss', goal: 'lower', reducer: 'min' }],
  unrecorded: [],
});
const history: HistoryResponse = { x: 'step', width: 300, series: [] };

test('the view gets the table, then live points, a fresh table when a run ends, and its histories on request', async () => {
  const asked: HistoryRequest[] = [];
  let tables = 0;
  const events: CompareStreamEvent[] = [
    { type: 'points', runId: 'r1', stepName: 'train', name: 'loss', from: 3, step: [3], time: [13], value: [0.5] },
    { type: 'run', runId: 'r1', state: 'succeeded' },
    { type: 'end' },
    { type: 'points', runId: 'r1', stepName: 'train', name: 'loss', from: 4, step: [4], time: [14], value: [0.4] },
  ];
  const posted: CompareHostMessage[] = [];
  const session = new CompareSession(
    {
      compare: async () => table(tables++ ? 'after' : 'before'),
      compareHistory: async (request) => (asked.push(request), history),
      followCompare: async function* () {
        yield* events;
      },
    },
    ['r1', 'r2'],
    (message) => posted.push(message),
  );
  await session.start();
  await session.history({ type: 'compare/history', request: 7, metrics: ['loss'], width: 300, x: 'time', x0: 1, x1: 2 });
  assert.deepEqual(posted, [
    { type: 'compare/init', compare: table('before') },
    { type: 'compare/points', runId: 'r1', stepName: 'train', name: 'loss', from: 3, step: [3], time: [13], value: [0.5] },
    { type: 'compare/run', runId: 'r1', state: 'succeeded' },
    { type: 'compare/table', compare: table('after') },
    { type: 'compare/history', request: 7, history },
  ]);
  assert.deepEqual(asked, [{ runs: ['r1', 'r2'], metrics: ['loss'], width: 300, x: 'time', x0: 1, x1: 2 }]);
});

test('a point of a metric the table lacks brings the table again, once, while the run still runs', async () => {
  const withAccuracy: CompareResponse = { ...table('later'), metrics: [...table('later').metrics, { name: 'accuracy', goal: 'higher', reducer: 'max' }] };
  let reads = 0;
  const point = (name: string, from: number): CompareStreamEvent => ({ type: 'points', runId: 'r1', stepName: 'train', name, from, step: [from], time: [from], value: [0.5] });
  const posted: CompareHostMessage[] = [];
  const session = new CompareSession(
    {
      compare: async () => (reads++ ? withAccuracy : table('first')),
      compareHistory: async () => history,
      followCompare: async function* () {
        yield* [point('loss', 0), point('accuracy', 0), point('accuracy', 1), point('loss', 1)];
      },
    },
    ['r1'],
    (message) => posted.push(message),
  );
  await session.start();
  assert.deepEqual(
    posted.map((message) => (message.type === 'compare/points' ? `points ${message.name}` : message.type)),
    ['compare/init', 'points loss', 'points accuracy', 'compare/table', 'points accuracy', 'points loss'],
  );
  const refreshed = posted.find((message) => message.type === 'compare/table');
  assert.deepEqual(refreshed?.type === 'compare/table' && refreshed.compare.metrics.map((metric) => metric.name), ['loss', 'accuracy']);
});

test('a failure reaches the view as an error', async () => {
  const posted: CompareHostMessage[] = [];
  const session = new CompareSession(
    {
      compare: async () => {
        throw new Error('run r9 not found');
      },
      compareHistory: async () => history,
      followCompare: async function* () {},
    },
    ['r9'],
    (message) => posted.push(message),
  );
  await session.start();
  assert.deepEqual(posted, [{ type: 'error', message: 'run r9 not found' }]);
});

test('selected sidebar items stand for their runs: a sweep for its points, each run once', () => {
  const points = { s1: [{ id: 'r2' }, { id: 'r3' }] } as Record<string, Array<{ id: string }>>;
  const ids = runIdsOf(
    [
      { kind: 'run', runId: 'r1' },
      { kind: 'sweep', sweepId: 's1' },
      { kind: 'step', runId: 'r3' },
      { kind: 'target' },
    ],
    (id) => points[id] ?? [],
  );
  assert.deepEqual(ids, ['r1', 'r2', 'r3']);
});
