/** Cancelling runs on the local target: whole process groups go, states say so. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../errors.js';
import type { Run } from '../run.js';
import type { RunEngine } from './engine.js';
import { isProcessAlive } from './targets/processes.js';
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

/** A step that starts a child `sleep` and waits for it; its log says the child's pid. */
function withChild(setup = ''): ReturnType<typeof pipeline> {
  return pipeline('cancel', [
    {
      name: 'work',
      code: `import subprocess\n${setup}child = subprocess.Popen(["sleep", "60"])\nprint("child", child.pid, flush=True)\nchild.wait()`,
    },
    { name: 'after', code: 'print("never")', dependsOn: ['work'] },
  ]);
}

/** Waits until the step runs and has started its child; returns both pids. */
async function startedWithChild(run: Run): Promise<{ stepPid: number; childPid: number }> {
  return waitFor('the step to start its child', async () => {
    const current = await engine.getRun(run.id);
    const log = (await engine.readLog(run.id, 'work', 0, 1000)).data.toString();
    const match = /child (\d+)/.exec(log);
    const jobId = stepOf(current, 'work').jobId;
    return match && jobId ? { stepPid: Number(jobId), childPid: Number(match[1]) } : undefined;
  });
}

test('cancel stops the step and everything it started, and marks the run cancelled', async () => {
  engine = await openEngine(home);
  const run = await submit(engine, home, withChild());
  const { stepPid, childPid } = await startedWithChild(run);
  assert.ok(isProcessAlive(childPid));

  const cancelled = await engine.cancel(run.id);
  assert.ok(!isProcessAlive(stepPid), 'the step process is gone');
  assert.ok(!isProcessAlive(childPid), "the step's child process is gone too");
  assert.equal(cancelled.state, 'cancelled');
  assert.deepEqual(
    cancelled.steps.map((step) => [step.name, step.state, step.reason]),
    [['work', 'cancelled', 'cancelled by the user'], ['after', 'cancelled', 'cancelled before it started']],
  );

  // The monitor, polling on, must not turn the killed step into a failure.
  await sleep(300);
  const changes = await engine.stateChanges(run.id);
  assert.deepEqual(changes.filter((change) => change.state === 'failed'), []);
  assert.equal((await engine.getRun(run.id)).state, 'cancelled');
});

test('a step that ignores SIGTERM is killed after the grace period', async () => {
  engine = await openEngine(home, { cancelGraceMs: 300 });
  const run = await submit(engine, home, withChild('import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n'));
  const { stepPid, childPid } = await startedWithChild(run);
  await engine.cancel(run.id);
  assert.ok(!isProcessAlive(stepPid) && !isProcessAlive(childPid));
});

test('cancelling a finished run is a conflict; an unknown run is not-found', async () => {
  engine = await openEngine(home);
  const run = await submit(engine, home, pipeline('quick', [{ name: 'only', code: 'pass' }]));
  await waitForFinalRun(engine, run.id);
  await assert.rejects(engine.cancel(run.id), (error: FerryError) => error.category === 'conflict' && /already succeeded/.test(error.message));
  await assert.rejects(engine.cancel('r-nope'), (error: FerryError) => error.category === 'not-found');
});
