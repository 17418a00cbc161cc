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

test('whole-DAG targets (Slurm): every step is ready at once, chained on its upstream jobs', () => {
  assert.deepEqual(planRun(runWith({}), spec, { wholeDag: true }), { ready: ['prepare', 'train', 'plot', 'report'], skip: [] });
  // Resuming a half-submitted run: what is not submitted yet is ready once its upstream steps are queued or running.
  assert.deepEqual(planRun(runWith({ prepare: 'running', train: 'queued' }), spec, { wholeDag: true }).ready, ['plot', 'report']);
});

test('whole-DAG targets: a submitted step whose upstream step failed is skipped (its job is then cancelled)', () => {
  assert.deepEqual(planRun(runWith({ prepare: 'succeeded', train: 'failed', plot: 'running', report: 'queued' }), spec, { wholeDag: true }), {
    ready: [],
    skip: [{ step: 'report', reason: 'upstream step "train" failed' }],
  });
  // Without the option a queued step is the target's business: nothing changes for the local target.
  assert.deepEqual(planRun(runWith({ prepare: 'succeeded', train: 'failed', plot: 'running', report: 'queued' }), spec).skip, []);
});
