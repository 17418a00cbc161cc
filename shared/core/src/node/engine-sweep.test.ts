/**
 * Sweeps on the local target, through a real RunEngine: every point is a run
 * of its own (id, parameters, log, metrics) grouped by the sweep's id, the
 * sweep's maxParallel caps the points going at once, and cancelling the
 * sweep cancels every point while cancelling one point leaves the others.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { planSweep } from '../sweeps/expand-sweep.js';
import { FerryError } from '../errors.js';
import type { Run } from '../run.js';
import type { PipelineSpec } from '../spec.js';
import type { RunEngine } from './engine.js';
import { killLeftovers, openEngine, pipeline, stepOf, testHome, waitFor, waitForFinalRun, type TestHome } from './testing.js';

let home: TestHome;
let engine: RunEngine;

beforeEach(async () => {
  home = testHome();
  engine = await openEngine(home, { maxParallel: 4 });
});
afterEach(async () => {
  killLeftovers(await engine.listRuns({ limit: 100 }));
  await engine.close();
  home.cleanup();
});

const training = pipeline(
  'training',
  [
    { name: 'fit', code: 'time.sleep(0.6)\nscore = lr * batch\nprint("fit", lr, batch, flush=True)\nferry.log_metric("score", score)', outputs: ['score'] },
    { name: 'report', code: 'print("score", score)', dependsOn: ['fit'], inputs: [{ name: 'score', from: 'fit' }] },
  ],
  { lr: 0.5, batch: 32 },
);

function submitSweep(spec: PipelineSpec, axisStrings: string[], options: { maxParallel?: number } = {}) {
  const { definition, points } = planSweep(spec, { axisStrings, fromStrings: true, ...options });
  return engine.submitSweep({ notebookPath: home.notebookPath, spec, target: 'local', mode: 'script', definition, points });
}

async function finished(runs: Run[]): Promise<Run[]> {
  return Promise.all(runs.map((run) => waitForFinalRun(engine, run.id, 60_000)));
}

test('a 2×2 grid: four runs grouped by the sweep, each with its own parameters, log and metrics; at most 2 at once', async () => {
  const { sweep, runs } = await submitSweep(training, ['lr=0.1,0.2', 'batch=10,20'], { maxParallel: 2 });
  assert.match(sweep.id, /^s-\d{8}-\d{6}-[0-9a-f]{6}$/);
  assert.deepEqual([sweep.size, sweep.maxParallel, sweep.target, sweep.pipeline], [4, 2, 'local', 'training']);
  assert.deepEqual(runs.map((run) => [run.sweepId, run.sweepIndex, run.parameters]), [
    [sweep.id, 0, { lr: 0.1, batch: 10 }],
    [sweep.id, 1, { lr: 0.1, batch: 20 }],
    [sweep.id, 2, { lr: 0.2, batch: 10 }],
    [sweep.id, 3, { lr: 0.2, batch: 20 }],
  ]);
  assert.equal(new Set(runs.map((run) => run.id)).size, 4, 'four run ids');

  const done = await finished(runs);
  assert.deepEqual(done.map((run) => run.state), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  for (const run of done) {
    const log = (await engine.readLog(run.id, 'fit', 0, 1 << 20)).data.toString('utf8');
    assert.equal(log, `fit ${run.parameters.lr} ${run.parameters.batch}\n`);
    const [score] = await engine.getMetrics(run.id);
    assert.deepEqual(score?.points.map((point) => point.value), [(run.parameters.lr as number) * (run.parameters.batch as number)]);
  }
  // From a point's first step starting to its last step ending, at most two points overlap.
  const spans = done.map((run) => [Date.parse(stepOf(run, 'fit').startedAt!), Date.parse(stepOf(run, 'report').finishedAt!)] as const);
  for (const [start] of spans) {
    const going = spans.filter(([from, to]) => from <= start && start < to).length;
    assert.ok(going <= 2, `${going} points were going at once`);
  }
  const listed = await engine.listRuns({ limit: 10, sweepId: sweep.id });
  assert.deepEqual(listed.map((run) => run.sweepIndex), [0, 1, 2, 3]);
  assert.deepEqual((await engine.listSweeps()).map((s) => s.id), [sweep.id]);
});

test('points beyond the limit wait queued, saying why', async () => {
  const slow = pipeline('slow', [{ name: 'nap', code: 'time.sleep(1.5)' }], { n: 0 });
  const { sweep, runs } = await submitSweep(slow, ['n=1,2,3'], { maxParallel: 1 });
  const third = await waitFor('the third point to wait with a reason', async () => {
    const run = await engine.getRun(runs[2]!.id);
    return stepOf(run, 'nap').reason ? run : undefined;
  }, 10_000);
  assert.equal(stepOf(third, 'nap').reason, `waiting for a free slot of sweep ${sweep.id} (at most 1 points at once)`);
  await engine.cancelSweep(sweep.id);
});

test('cancelling one point leaves the others; cancelling the sweep cancels every point left', async () => {
  const long = pipeline('long', [{ name: 'wait', code: 'time.sleep(30)' }, { name: 'after', code: 'print(1)', dependsOn: ['wait'] }], { n: 0 });
  const { sweep, runs } = await submitSweep(long, ['n=1,2,3,4'], { maxParallel: 2 });
  await waitFor('two points to run', async () => {
    const current = await Promise.all(runs.map((run) => engine.getRun(run.id)));
    return current.filter((run) => run.state === 'running').length === 2;
  }, 15_000);

  const one = await engine.cancel(runs[0]!.id);
  assert.equal(one.state, 'cancelled');
  // Its slot frees: the third point starts, the others go on.
  await waitFor('the third point to start', async () => (await engine.getRun(runs[2]!.id)).state === 'running', 15_000);
  assert.equal((await engine.getRun(runs[1]!.id)).state, 'running');

  const all = await engine.cancelSweep(sweep.id);
  assert.deepEqual(all.runs.map((run) => run.state), ['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  assert.deepEqual(all.runs.map((run) => stepOf(run, 'wait').reason), [
    'cancelled by the user',
    'cancelled by the user',
    'cancelled by the user',
    'cancelled before it started',
  ]);
  await assert.rejects(engine.cancelSweep(sweep.id), (error: FerryError) => error.category === 'conflict' && /every point of sweep .* has already finished/.test(error.message));
  await assert.rejects(engine.getSweep('s-20200101-000000-000000'), (error: FerryError) => error.category === 'not-found');
});
