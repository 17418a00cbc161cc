import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunWithSpec, StateChange } from '../run.js';
import { pipeline } from '../node/testing.js';
import { jobFacts } from './job-facts.js';

const spec = pipeline('train', [
  { name: 'prepare', code: 'pass' },
  { name: 'train', code: 'pass', dependsOn: ['prepare'] },
]);
spec.steps[1]!.resources.gpus = 2;

function run(overrides: Partial<RunWithSpec>): RunWithSpec {
  return {
    id: 'r-20260101-000000-abcdef',
    pipeline: 'train',
    notebookPath: '/nb/train.ipynb',
    target: 'hpc',
    mode: 'script',
    state: 'failed',
    parameters: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:05:30.000Z',
    runDir: '/runs/x',
    spec,
    steps: [
      { name: 'prepare', state: 'succeeded', jobId: '101', exitCode: 0, startedAt: '2026-01-01T00:01:00.000Z', finishedAt: '2026-01-01T00:02:00.000Z', logOffset: 0, metricsOffset: 0 },
      {
        name: 'train',
        state: 'failed',
        jobId: '102',
        exitCode: 137,
        reason: 'OUT_OF_MEMORY: the step used more memory than the job asked for (raise it with a mem: tag)',
        startedAt: '2026-01-01T00:02:10.000Z',
        finishedAt: '2026-01-01T00:05:30.000Z',
        logOffset: 0,
        metricsOffset: 0,
      },
    ],
    ...overrides,
  };
}

test('job facts of a run killed for memory: queue wait, duration, GPUs, the failed step and OOM', () => {
  const facts = jobFacts(run({}), []);
  assert.deepEqual(facts, {
    target: 'hpc',
    state: 'failed',
    gpus: 2,
    jobIds: { prepare: '101', train: '102' },
    exitCode: 137,
    failedStep: 'train',
    failureReason: 'OUT_OF_MEMORY: the step used more memory than the job asked for (raise it with a mem: tag)',
    oom: true,
    queueWaitSeconds: 60,
    durationSeconds: 270,
  });
});

test('a Python failure is no OOM; a run still queued has no wait or duration yet', () => {
  const python = run({});
  python.steps[1] = { ...python.steps[1]!, reason: 'ValueError: bad shape (cell 3)', exitCode: 1 };
  assert.equal(jobFacts(python, []).oom, false);
  const queued = jobFacts(run({ state: 'queued', steps: spec.steps.map((s) => ({ name: s.name, state: 'waiting', logOffset: 0, metricsOffset: 0 })) }), []);
  assert.equal(queued.queueWaitSeconds, undefined);
  assert.equal(queued.durationSeconds, undefined);
  assert.equal(queued.failedStep, undefined);
});

test('a running run lasts until now; a start seen only in the state history counts', () => {
  const changes: StateChange[] = [{ runId: 'r', step: 'prepare', state: 'running', at: '2026-01-01T00:00:30.000Z' }];
  const running = run({ state: 'running', steps: spec.steps.map((s) => ({ name: s.name, state: 'running', logOffset: 0, metricsOffset: 0 })) });
  delete running.finishedAt;
  const facts = jobFacts(running, changes, { now: new Date('2026-01-01T00:10:30.000Z') });
  assert.equal(facts.queueWaitSeconds, 30);
  assert.equal(facts.durationSeconds, 600);
});

test('the nodes the steps ran on, distinct; retries summed; the place the target sends work to', () => {
  const placed = run({});
  placed.steps[0] = { ...placed.steps[0]!, node: 'gpu-node-2', retries: 0 };
  placed.steps[1] = { ...placed.steps[1]!, node: 'gpu-node-5', retries: 2 };
  const facts = jobFacts(placed, [], { place: 'partition gpu' });
  assert.equal(facts.node, 'gpu-node-2, gpu-node-5');
  assert.equal(facts.retries, 2);
  assert.equal(facts.place, 'partition gpu');

  placed.steps[1] = { ...placed.steps[1]!, node: 'gpu-node-2', retries: 1 };
  assert.deepEqual([jobFacts(placed, []).node, jobFacts(placed, []).retries, jobFacts(placed, []).place], ['gpu-node-2', 1, undefined]);
});

test('a run from before steps recorded their node has neither node nor retries', () => {
  const facts = jobFacts(run({}), []);
  assert.equal('node' in facts, false);
  assert.equal('retries' in facts, false);
});
