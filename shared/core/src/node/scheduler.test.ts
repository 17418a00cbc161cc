import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Run, StepState } from '../run.js';
import { planRun, runOutcome } from './scheduler.js';
import { pipeline } from './testing.js';

// prepare → train → report, and prepare → plot (a second branch)
const spec = pipeline('p', [
  { name: 'prepare', code: '' },
  { name: 'train', code: '', dependsOn: ['prepare'] },
  { name: 'plot', code: '', dependsOn: ['prepare'] },
  { name: 'report', code: '', dependsOn: ['train', 'plot'] },
]);

function runWith(states: Record<string, StepState>): Run {
  return {
    id: 'r-1', pipeline: 'p', notebookPath: '/p.ipynb', target: 'local', mode: 'script', state: 'running',
    parameters: {}, createdAt: '', runDir: '/r',
    steps: spec.steps.map((step) => ({ name: step.name, state: states[step.name] ?? 'waiting', logOffset: 0, metricsOffset: 0 })),
  };
}

test('steps without dependencies are ready first', () => {
  assert.deepEqual(planRun(runWith({}), spec), { ready: ['prepare'], skip: [] });
});

test('a step is ready only when every dependency succeeded', () => {
  assert.deepEqual(planRun(runWith({ prepare: 'succeeded' }), spec).ready, ['train', 'plot']);
  assert.deepEqual(planRun(runWith({ prepare: 'succeeded', train: 'succeeded', plot: 'running' }), spec).ready, []);
  assert.deepEqual(planRun(runWith({ prepare: 'succeeded', train: 'succeeded', plot: 'succeeded' }), spec).ready, ['report']);
});

test('a failed step skips everything downstream, naming the upstream step', () => {
  assert.deepEqual(planRun(runWith({ prepare: 'succeeded', train: 'failed', plot: 'running' }), spec), {
    ready: [],
    skip: [{ step: 'report', reason: 'upstream step "train" failed' }],
  });
  assert.deepEqual(planRun(runWith({ prepare: 'cancelled' }), spec).skip, [
    { step: 'train', reason: 'upstream step "prepare" was cancelled' },
    { step: 'plot', reason: 'upstream step "prepare" was cancelled' },
    { step: 'report', reason: 'upstream step "train" was skipped' },
  ]);
});

test('the run ends failed if any step failed, succeeded if all did, and not before every step ended', () => {
  assert.equal(runOutcome(runWith({ prepare: 'succeeded', train: 'failed', plot: 'running' })), undefined);
  assert.equal(runOutcome(runWith({ prepare: 'succeeded', train: 'failed', plot: 'succeeded', report: 'skipped' })), 'failed');
  assert.equal(runOutcome(runWith({ prepare: 'succeeded', train: 'succeeded', plot: 'succeeded', report: 'succeeded' })), 'succeeded');
  assert.equal(runOutcome(runWith({ prepare: 'cancelled', train: 'skipped', plot: 'skipped', report: 'skipped' })), 'cancelled');
});
