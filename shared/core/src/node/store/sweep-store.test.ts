/** Sweeps in the run store: the migration of existing databases, points recorded together, grouping. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { FerryError } from '../../errors.js';
import { pipeline } from '../testing.js';
import { migrate, migrations } from './migrations.js';
import { newRunId, newSweepId } from './run-id.js';
import { RunStore, type NewRun, type NewSweep } from './run-store.js';

const root = mkdtempSync(join(tmpdir(), 'ferry-sweep-store-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let databases = 0;
const dbFile = () => join(root, `ferry-${databases++}.db`);

const spec = pipeline('train', [{ name: 'fit', code: 'pass' }, { name: 'report', code: 'pass', dependsOn: ['fit'] }], { lr: 0.1 });

function point(lr: number): NewRun {
  const id = newRunId();
  return { id, pipeline: 'train', notebookPath: '/nb/train.ipynb', target: 'local', mode: 'script', parameters: { lr }, spec, runDir: `/runs/${id}` };
}

function newSweep(): NewSweep {
  return { id: newSweepId(), pipeline: 'train', notebookPath: '/nb/train.ipynb', target: 'local', mode: 'script', definition: { axes: [{ parameter: 'lr', values: [0.1, 0.2, 0.3] }], maxParallel: 2 } };
}

test('a database from before sweeps keeps its runs (no sweep) and gains the sweeps table', () => {
  const file = dbFile();
  const old = new Database(file);
  migrate(old, migrations.slice(0, 1));
  old.prepare(
    `INSERT INTO runs (id, pipeline, notebook_path, target, mode, state, parameters, spec, run_dir, created_at)
     VALUES ('r-20250101-000000-aaaaaa', 'train', '/nb/train.ipynb', 'local', 'script', 'succeeded', '{}', ?, '/runs/x', '2025-01-01T00:00:00.000Z')`,
  ).run(JSON.stringify(spec));
  old.close();

  const store = RunStore.open(file);
  assert.equal(store.schemaVersion(), migrations.length);
  const run = store.getRun('r-20250101-000000-aaaaaa');
  assert.deepEqual([run.sweepId, run.sweepIndex, 'sweepId' in run], [undefined, undefined, false], 'an old run is a run of its own');
  const sweep = store.createSweep(newSweep(), [point(0.1)]);
  assert.equal(store.listRuns({ limit: 10, sweepId: sweep.id }).length, 1);
  store.close();
});

test('a sweep and its points are recorded together, in index order, with the same creation time', () => {
  const store = RunStore.open(dbFile());
  const single = store.createRun(point(0.5));
  const input = newSweep();
  const points = [point(0.1), point(0.2), point(0.3)];
  const sweep = store.createSweep(input, points);
  assert.deepEqual(
    { ...sweep, createdAt: undefined },
    { id: input.id, pipeline: 'train', notebookPath: '/nb/train.ipynb', target: 'local', mode: 'script', createdAt: undefined, size: 3, axes: input.definition.axes, maxParallel: 2 },
  );
  const runs = store.listRuns({ limit: 10, sweepId: sweep.id });
  assert.deepEqual(runs.map((run) => [run.id, run.sweepId, run.sweepIndex, run.parameters.lr]), points.map((p, i) => [p.id, sweep.id, i, p.parameters.lr]));
  assert.ok(runs.every((run) => run.createdAt === sweep.createdAt && run.state === 'queued'));
  assert.deepEqual(store.activeRuns().filter((run) => run.sweepId).map((run) => run.sweepIndex), [0, 1, 2], 'the scheduler serves points by index');
  assert.equal(store.listRuns({ limit: 10 }).length, 4, 'points are runs');
  assert.equal(store.getRun(single.id).sweepId, undefined);
  assert.deepEqual(store.listSweeps({ limit: 10 }).map((s) => s.id), [sweep.id]);
  assert.throws(() => store.getSweep('s-20200101-000000-000000'), (error: FerryError) => error.category === 'not-found' && /no sweep with id/.test(error.message));
  store.close();
});

test('a sweep whose points cannot all be recorded is not recorded at all', () => {
  const store = RunStore.open(dbFile());
  const taken = point(0.1);
  store.createRun(taken);
  const input = newSweep();
  assert.throws(() => store.createSweep(input, [point(0.2), taken]), /UNIQUE constraint failed/);
  assert.equal(store.hasSweep(input.id), false);
  assert.equal(store.listRuns({ limit: 10 }).length, 1, 'no point of it either');
  store.close();
});
