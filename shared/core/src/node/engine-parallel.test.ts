/** Parallelism on the local target, judged by the times the store recorded. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Run, StepRun } from '../run.js';
import type { RunEngine } from './engine.js';
import { killLeftovers, openEngine, pipeline, stepOf, submit, testHome, waitFor, waitForFinalRun, type TestHome } from './testing.js';

let home: TestHome;
let engine: RunEngine;

beforeEach(() => {
  home = testHome();
});
afterEach(async () => {
  killLeftovers(await engine.listRuns({ limit: 100 }));
  await engine.close();
  home.cleanup();
});

// Two branches that each take a while, and a join.
const branches = pipeline('branches', [
  { name: 'left', code: 'time.sleep(1)\nside = "L"', outputs: ['side'] },
  { name: 'right', code: 'time.sleep(1)\nother = "R"', outputs: ['other'] },
  {
    name: 'join',
    code: 'print("joined", side + other)',
    dependsOn: ['left', 'right'],
    inputs: [{ name: 'side', from: 'left' }, { name: 'other', from: 'right' }],
  },
]);

function interval(step: StepRun): [number, number] {
  return [Date.parse(step.startedAt!), Date.parse(step.finishedAt!)];
}

function overlap(a: StepRun, b: StepRun): boolean {
  const [aStart, aEnd] = interval(a);
  const [bStart, bEnd] = interval(b);
  return aStart < bEnd && bStart < aEnd;
}

async function runBranches(): Promise<Run> {
  const submitted = await submit(engine, home, branches);
  const finished = await waitForFinalRun(engine, submitted.id);
  assert.equal(finished.state, 'succeeded');
  const joinLog = await engine.readLog(finished.id, 'join', 0, 1000);
  assert.match(joinLog.data.toString(), /joined LR/);
  return finished;
}

test('independent branches run at the same time', async () => {
  engine = await openEngine(home, { maxParallel: 2 });
  const finished = await runBranches();
  assert.ok(overlap(stepOf(finished, 'left'), stepOf(finished, 'right')), JSON.stringify(finished.steps));
  // The join starts only after both branches finished.
  const joinStart = interval(stepOf(finished, 'join'))[0];
  assert.ok(joinStart >= interval(stepOf(finished, 'left'))[1] && joinStart >= interval(stepOf(finished, 'right'))[1]);
});

test('maxParallel 1 runs one step at a time; the others wait queued with a reason', async () => {
  engine = await openEngine(home, { maxParallel: 1 });
  const finished = await runBranches();
  const [left, right, join] = ['left', 'right', 'join'].map((name) => stepOf(finished, name));
  assert.ok(!overlap(left!, right!) && !overlap(left!, join!) && !overlap(right!, join!), JSON.stringify(finished.steps));
  const queuedSteps = (await engine.stateChanges(finished.id)).filter((change) => change.step && change.state === 'queued');
  assert.deepEqual(queuedSteps.map((change) => change.step), ['left', 'right', 'join']);
  // Two runs at once share the one slot: the second waits, and says why.
  const a = await submit(engine, home, pipeline('a', [{ name: 's', code: 'time.sleep(0.5)' }]));
  const b = await submit(engine, home, pipeline('b', [{ name: 's', code: 'time.sleep(0.5)' }]));
  const waiting = await waitFor('run b to wait for the slot', async () => {
    const step = (await engine.getRun(b.id)).steps[0]!;
    return step.state === 'queued' && step.reason ? step : undefined;
  });
  assert.equal(waiting.reason, 'all 1 slots of target "local" are busy');
  const [doneA, doneB] = await Promise.all([waitForFinalRun(engine, a.id), waitForFinalRun(engine, b.id)]);
  assert.ok(!overlap(doneA.steps[0]!, doneB.steps[0]!));
  assert.equal(doneB.steps[0]!.reason, undefined);
});
