/**
 * A closed engine leaves its steps running; a new engine on the same store
 * picks them up where the old one stopped: no state, log byte or metric point
 * is lost or counted twice.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { Run } from '../run.js';
import type { RunEngine } from './engine.js';
import { isProcessAlive } from './targets/processes.js';
import { killLeftovers, openEngine, pipeline, stepOf, submit, testHome, waitFor, waitForFinalRun, type TestHome } from './testing.js';

let home: TestHome;
let engines: RunEngine[];

beforeEach(() => {
  home = testHome();
  engines = [];
});
afterEach(async () => {
  const last = engines.at(-1)!;
  killLeftovers(await last.listRuns({ limit: 100 }));
  for (const engine of engines) await engine.close();
  home.cleanup();
});

async function open(): Promise<RunEngine> {
  const engine = await openEngine(home);
  engines.push(engine);
  return engine;
}

const POINTS = 20;
// `count` logs POINTS points over about two seconds; `report` waits for it.
const counting = pipeline('resume', [
  {
    name: 'count',
    code: `for i in range(${POINTS}):\n    ferry.log_metric("loss", 1 / (i + 1), step=i)\n    print("tick", i, flush=True)\n    time.sleep(0.1)\ntotal = ${POINTS}`,
    outputs: ['total'],
  },
  { name: 'report', code: 'print("counted", total)', dependsOn: ['count'], inputs: [{ name: 'total', from: 'count' }] },
]);

/** Submits `counting` and returns once the first engine has stored some (not all) points. */
async function submitAndWatchAWhile(engine: RunEngine): Promise<Run> {
  const run = await submit(engine, home, counting);
  await waitFor('a few stored points', async () => {
    const stored = (await engine.getMetrics(run.id))[0]?.points.length ?? 0;
    return stored >= 3 && stored < POINTS;
  });
  return engine.getRun(run.id);
}

async function assertCompleteRun(engine: RunEngine, runId: string): Promise<void> {
  const finished = await waitForFinalRun(engine, runId);
  assert.equal(finished.state, 'succeeded', JSON.stringify(finished.steps));
  assert.deepEqual(finished.steps.map((step) => step.state), ['succeeded', 'succeeded']);
  const [series, ...others] = await engine.getMetrics(runId);
  assert.deepEqual(others, []);
  assert.deepEqual(series!.points.map((point) => point.step), [...Array(POINTS).keys()], 'every point exactly once, in order');
  const log = (await engine.readLog(runId, 'count', 0, 1 << 20)).data.toString();
  assert.equal(log.match(/tick \d+/g)!.length, POINTS);
  assert.match((await engine.readLog(runId, 'report', 0, 1000)).data.toString(), new RegExp(`counted ${POINTS}`));
  assert.equal(stepOf(finished, 'count').logOffset, Buffer.byteLength(log));
}

test('a new engine reattaches to a step still running and starts the waiting ones', async () => {
  const first = await open();
  const run = await submitAndWatchAWhile(first);
  await first.close();
  const pid = Number(stepOf(run, 'count').jobId);
  assert.ok(isProcessAlive(pid), 'closing the engine leaves the step running');

  const second = await open();
  await assertCompleteRun(second, run.id);
});

test('a step that finished while no engine was running is read from its status file', async () => {
  const first = await open();
  const run = await submitAndWatchAWhile(first);
  await first.close();
  const status = join(run.runDir, 'steps', 'count', 'status.json');
  await waitFor('the step to finish on its own', () => JSON.parse(readFileSync(status, 'utf8')).state === 'succeeded');

  const second = await open();
  await assertCompleteRun(second, run.id);
});

test('a step that died while no engine was running is failed with a reason', async () => {
  const first = await open();
  const run = await submitAndWatchAWhile(first);
  await first.close();
  const pid = Number(stepOf(run, 'count').jobId);
  process.kill(-pid, 'SIGKILL');
  await waitFor('the step to be gone', () => !isProcessAlive(pid));

  const second = await open();
  const finished = await waitForFinalRun(second, run.id);
  assert.equal(finished.state, 'failed');
  assert.deepEqual(
    finished.steps.map((step) => [step.name, step.state, step.reason]),
    [['count', 'failed', 'the step process exited without reporting (killed?)'], ['report', 'skipped', 'upstream step "count" failed']],
  );
});
