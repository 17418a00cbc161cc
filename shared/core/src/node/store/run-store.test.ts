import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { FerryError } from '../../errors.js';
import { pipeline } from '../testing.js';
import { migrations, type Migration } from './migrations.js';
import { newRunId, RUN_ID_PATTERN } from './run-id.js';
import { RunStore, type NewRun } from './run-store.js';

const root = mkdtempSync(join(tmpdir(), 'ferry-store-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let databases = 0;
const dbFile = () => join(root, `ferry-${databases++}.db`);

const spec = pipeline('train', [
  { name: 'prepare', code: 'pass' },
  { name: 'train', code: 'pass', dependsOn: ['prepare'] },
  { name: 'report', code: 'pass', dependsOn: ['train'] },
]);

function newRun(overrides: Partial<NewRun> = {}): NewRun {
  const id = overrides.id ?? newRunId();
  return { id, pipeline: 'train', notebookPath: '/nb/train.ipynb', target: 'local', mode: 'script', parameters: { lr: 0.1 }, spec, runDir: `/runs/${id}`, ...overrides };
}

test('opening an empty database applies every migration; re-opening applies none', () => {
  const file = dbFile();
  const store = RunStore.open(file);
  assert.equal(store.schemaVersion(), migrations.length);
  const run = store.createRun(newRun());
  store.close();

  const reopened = RunStore.open(file);
  assert.equal(reopened.schemaVersion(), migrations.length);
  assert.equal(reopened.getRun(run.id).id, run.id);
  const db = new Database(file, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  reopened.close();
});

test('an older database gets only the missing migrations, each in order', () => {
  const file = dbFile();
  const applied: number[] = [];
  const step = (n: number): Migration => ({ description: `step ${n}`, up: (db) => (applied.push(n), db.exec(`CREATE TABLE t${n} (x)`)) });
  RunStore.open(file, [step(1)]).close();
  RunStore.open(file, [step(1), step(2), step(3)]).close();
  assert.deepEqual(applied, [1, 2, 3]);
});

test('a failing migration leaves the database at the last whole version', () => {
  const file = dbFile();
  const good: Migration = { description: 'good', up: (db) => db.exec('CREATE TABLE good (x)') };
  const bad: Migration = { description: 'bad', up: (db) => db.exec('CREATE TABLE half (x); SELECT nope FROM missing') };
  assert.throws(() => RunStore.open(file, [good, bad]), (error: FerryError) => /migration 2 \(bad\) failed/.test(error.message));
  const db = new Database(file);
  assert.equal(db.pragma('user_version', { simple: true }), 1);
  assert.equal((db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'`).get() as { n: number }).n, 0);
  db.close();
});

test('a database from before steps had a node and retries opens with its runs, and records them from then on', () => {
  const file = dbFile();
  const beforeNodes = migrations.findIndex((migration) => /node each step ran on/.test(migration.description));
  assert.ok(beforeNodes > 0);
  const old = RunStore.open(file, migrations.slice(0, beforeNodes));
  const { id } = old.createRun(newRun());
  old.updateStep(id, 'prepare', { state: 'succeeded', jobId: '7', exitCode: 0 });
  old.close();

  const store = RunStore.open(file);
  const [prepare, train] = store.getRun(id).steps;
  assert.deepEqual([prepare!.state, prepare!.jobId, prepare!.node, prepare!.retries], ['succeeded', '7', undefined, undefined]);
  assert.equal(train!.node, undefined);
  assert.equal(store.updateStep(id, 'train', { node: 'gpu-node-3', retries: 2 }), undefined);
  assert.deepEqual(store.getRun(id).steps.map((step) => [step.name, step.node, step.retries]), [
    ['prepare', undefined, undefined],
    ['train', 'gpu-node-3', 2],
    ['report', undefined, undefined],
  ]);
  store.close();
});

test('a database from a newer Ferry is refused', () => {
  const file = dbFile();
  RunStore.open(file).close();
  assert.throws(() => RunStore.open(file, migrations.slice(0, 0)), /newer than this Ferry knows/);
});

test('run ids are short, sortable and never user text', () => {
  const id = newRunId(new Date('2026-11-22T22:15:30.123Z'));
  assert.match(id, /^r-20261122-221530-[0-9a-f]{6}$/);
  assert.match(newRunId(), RUN_ID_PATTERN);
});

test('createRun stores the run queued and its steps waiting, in spec order', () => {
  const store = RunStore.open(dbFile());
  const created = store.createRun(newRun());
  assert.equal(created.state, 'queued');
  assert.deepEqual(created.spec, spec);
  assert.deepEqual(created.parameters, { lr: 0.1 });
  assert.deepEqual(
    store.getRun(created.id).steps.map((step) => [step.name, step.state, step.logOffset, step.metricsOffset]),
    [['prepare', 'waiting', 0, 0], ['train', 'waiting', 0, 0], ['report', 'waiting', 0, 0]],
  );
  assert.deepEqual(store.stateChanges(created.id).map((change) => [change.step, change.state]), [[undefined, 'queued']]);
  store.close();
});

test('unknown runs and steps are "not-found" errors that name them', () => {
  const store = RunStore.open(dbFile());
  const run = store.createRun(newRun());
  assert.throws(() => store.getRun('r-nope'), (error: FerryError) => error.category === 'not-found' && error.message.includes('r-nope'));
  assert.throws(() => store.updateStep(run.id, 'nope', { state: 'running' }), (error: FerryError) => error.category === 'not-found' && error.location?.step === 'nope');
  store.close();
});

test('updates record a state change only when the state changes', () => {
  const store = RunStore.open(dbFile());
  const { id } = store.createRun(newRun());
  assert.equal(store.updateStep(id, 'prepare', { jobId: '42' }), undefined);
  const change = store.updateStep(id, 'prepare', { state: 'failed', exitCode: 1, reason: 'ValueError: boom' });
  assert.deepEqual({ ...change, at: undefined }, { runId: id, step: 'prepare', state: 'failed', reason: 'ValueError: boom', at: undefined });
  store.updateStep(id, 'prepare', { reason: null });
  store.updateRun(id, { state: 'failed', finishedAt: '2026-01-01T00:00:00.000Z', reason: 'a step failed' });
  const run = store.getRun(id);
  assert.deepEqual([run.steps[0]!.jobId, run.steps[0]!.exitCode, run.steps[0]!.reason], ['42', 1, undefined]);
  assert.deepEqual([run.state, run.finishedAt], ['failed', '2026-01-01T00:00:00.000Z']);
  assert.deepEqual(store.stateChanges(id).map((c) => [c.step ?? 'run', c.state, c.reason]), [
    ['run', 'queued', undefined],
    ['prepare', 'failed', 'ValueError: boom'],
    ['run', 'failed', 'a step failed'],
  ]);
  store.close();
});

test('listRuns is newest first, filters by state and pages; activeRuns skips finished runs', () => {
  const store = RunStore.open(dbFile());
  const ids = [0, 1, 2].map((second) => store.createRun(newRun({ id: newRunId(new Date(Date.UTC(2026, 0, 1, 0, 0, second))) })).id);
  store.updateRun(ids[1]!, { state: 'succeeded' });
  assert.deepEqual(store.listRuns({ limit: 10 }).map((run) => run.id), [...ids].reverse());
  assert.deepEqual(store.listRuns({ limit: 1, offset: 1 }).map((run) => run.id), [ids[1]]);
  assert.deepEqual(store.listRuns({ limit: 10, state: 'succeeded' }).map((run) => run.id), [ids[1]]);
  assert.deepEqual(store.activeRuns().map((run) => run.id).sort(), [ids[0], ids[2]].sort());
  store.close();
});

test('metric points and their cursor are stored together; NaN and infinities survive', () => {
  const file = dbFile();
  const store = RunStore.open(file);
  const { id } = store.createRun(newRun());
  store.appendMetrics(id, 'train', [
    { name: 'loss', step: 0, value: 1.5, time: 100 },
    { name: 'loss', step: 1, value: Number.NaN, time: 101 },
    { name: 'acc', step: 0, value: -Infinity, time: 102 },
  ], 180);
  store.appendMetrics(id, 'prepare', [{ name: 'rows', step: 0, value: 1000, time: 99 }], 40);
  store.appendMetrics(id, 'train', [{ name: 'loss', step: 2, value: Infinity, time: 103 }], 240);
  store.close();

  const reopened = RunStore.open(file);
  assert.deepEqual(reopened.getMetrics(id), [
    { stepName: 'prepare', name: 'rows', points: [{ step: 0, value: 1000, time: 99 }] },
    { stepName: 'train', name: 'acc', points: [{ step: 0, value: -Infinity, time: 102 }] },
    {
      stepName: 'train',
      name: 'loss',
      points: [
        { step: 0, value: 1.5, time: 100 },
        { step: 1, value: Number.NaN, time: 101 },
        { step: 2, value: Infinity, time: 103 },
      ],
    },
  ]);
  assert.deepEqual(reopened.getRun(id).steps.map((step) => step.metricsOffset), [40, 240, 0]);
  reopened.close();
});

test('a failed appendMetrics stores neither the points nor the cursor', () => {
  const store = RunStore.open(dbFile());
  const { id } = store.createRun(newRun());
  // The metrics table refers to the step, so an unknown step fails after the first insert would have run.
  assert.throws(() => store.appendMetrics(id, 'no-such-step', [{ name: 'loss', step: 0, value: 1, time: 1 }], 10));
  store.appendMetrics(id, 'train', [{ name: 'loss', step: 0, value: 1, time: 1 }], 20);
  assert.throws(() =>
    store.appendMetrics(id, 'train', [
      { name: 'loss', step: 1, value: 2, time: 2 },
      { name: null as unknown as string, step: 2, value: 3, time: 3 },
    ], 60),
  );
  assert.deepEqual(store.getMetrics(id).map((series) => series.points.length), [1]);
  assert.equal(store.getRun(id).steps[1]!.metricsOffset, 20);
  store.close();
});
