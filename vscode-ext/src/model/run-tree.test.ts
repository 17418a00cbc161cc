import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Run, StepRun } from '@ferry/core';
import { RunTreeModel, describeStep, type TreeNode } from './run-tree.js';

const step = (name: string, state: StepRun['state'], extra: Partial<StepRun> = {}): StepRun => ({ name, state, logOffset: 0, metricsOffset: 0, ...extra });

function run(id: string, state: Run['state'], steps: StepRun[], createdAt = '2025-01-01T10:00:00Z', target = 'local'): Run {
  return { id, pipeline: 'train', notebookPath: '/n/train.ipynb', target, mode: 'script', state, parameters: { epochs: 3 }, createdAt, runDir: `/runs/${id}`, steps };
}

const labels = (model: RunTreeModel, nodes: TreeNode[]) => nodes.map((node) => model.view(node).label);

test('targets → runs (newest first) → steps, and runs on removed targets still show', () => {
  const model = new RunTreeModel();
  model.setTargets([{ name: 'local', type: 'local', description: 'this machine' }]);
  model.setRuns([
    run('r-aaaaaaaa-1', 'succeeded', [step('prepare', 'succeeded')], '2025-01-01T10:00:00Z'),
    run('r-bbbbbbbb-2', 'running', [step('prepare', 'running')], '2025-01-01T11:00:00Z'),
    run('r-cccccccc-3', 'failed', [], '2025-01-01T09:00:00Z', 'gone'),
  ]);
  const roots = model.roots();
  assert.deepEqual(labels(model, roots), ['local', 'gone']);
  assert.equal(model.view(roots[1]!).description, 'no longer configured');
  const runs = model.children(roots[0]!);
  assert.deepEqual(labels(model, runs), ['train bbbbbbbb', 'train aaaaaaaa']);
  assert.equal(model.view(runs[0]!).contextValue, 'run:active');
  assert.equal(model.view(runs[1]!).contextValue, 'run:final');
  assert.deepEqual(model.parent(model.children(runs[0]!)[0]!), runs[0]);
  assert.deepEqual(model.parent(runs[0]!), roots[0]);
});

test('run events move a step from queued (with the pending reason) to running (spinning) to failed (reason as a child)', () => {
  const model = new RunTreeModel();
  model.setTargets([{ name: 'slurm', type: 'slurm', description: 'login' }]);
  const stepNode = { kind: 'step', id: 'run/r-1/step/train', runId: 'r-1', step: 'train' } as const;

  model.applyRun(run('r-1', 'queued', [step('train', 'queued', { reason: 'Priority', jobId: '42' })], undefined, 'slurm'));
  let view = model.view(stepNode);
  assert.equal(view.description, 'queued — Priority');
  assert.equal(view.icon, 'history');
  assert.equal(view.contextValue, 'step:job');

  model.applyRun(run('r-1', 'running', [step('train', 'running', { jobId: '42' })], undefined, 'slurm'));
  view = model.view(stepNode);
  assert.equal(view.icon, 'sync~spin');
  assert.equal(view.description, 'running');
  assert.equal(model.view(model.roots()[0]!).description, 'slurm · 1 active');

  model.applyRun(run('r-1', 'failed', [step('train', 'failed', { jobId: '42', exitCode: 1, reason: 'ValueError: bad shape' })], undefined, 'slurm'));
  view = model.view(stepNode);
  assert.equal(view.icon, 'error');
  assert.equal(view.description, 'failed — exit 1');
  const [reason] = model.children(stepNode);
  assert.equal(model.view(reason!).label, 'ValueError: bad shape');
});

test('an unreachable server is the tree’s only item, until it is cleared', () => {
  const model = new RunTreeModel();
  model.setTargets([{ name: 'local', type: 'local', description: '' }]);
  model.setProblem('Ferry server unavailable: ECONNREFUSED');
  assert.deepEqual(labels(model, model.roots()), ['Ferry server unavailable: ECONNREFUSED']);
  model.setProblem(undefined);
  assert.deepEqual(labels(model, model.roots()), ['local']);
});

test('a target shows its last health check', () => {
  const model = new RunTreeModel();
  model.setTargets([{ name: 'hpc', type: 'slurm', description: 'login.hpc' }]);
  model.setCheck('hpc', { ok: false, at: '2025-01-01T10:00:00Z', summary: 'connection: timed out' });
  const view = model.view(model.roots()[0]!, new Date('2025-01-01T10:05:00Z'));
  assert.equal(view.description, 'slurm · check failed 5 min ago');
  assert.match(view.tooltip ?? '', /Last check: connection: timed out/);
});

test('step descriptions', () => {
  assert.equal(describeStep(step('a', 'waiting', { reason: 'after prepare' })), 'waiting — after prepare');
  assert.equal(describeStep(step('a', 'skipped', { reason: 'prepare failed' })), 'skipped — prepare failed');
  assert.equal(describeStep(step('a', 'succeeded')), 'succeeded');
});

test("a sweep's points are grouped under one sweep item, in index order, labelled by the values they sweep", () => {
  const model = new RunTreeModel();
  model.setTargets([{ name: 'local', type: 'local', description: 'this machine' }]);
  const point = (index: number, lr: number, state: Run['state']): Run => ({
    ...run(`r-20250101-10000${index}-00000${index}`, state, [step('train', state)], `2025-01-01T10:00:0${index}Z`),
    parameters: { epochs: 3, lr },
    sweepId: 's-20250101-100000-abcdef',
    sweepIndex: index,
  });
  model.setRuns([point(1, 0.01, 'running'), point(0, 0.1, 'succeeded'), run('r-own', 'succeeded', [], '2025-01-01T09:00:00Z')]);
  const [target] = model.roots();
  const entries = model.children(target!);
  assert.deepEqual(labels(model, entries), ['train sweep abcdef', 'train own']);
  const sweep = entries[0]!;
  assert.match(model.view(sweep).description ?? '', /^running · 2 runs over lr/);
  assert.equal(model.view(sweep).contextValue, 'sweep:active');
  const points = model.children(sweep);
  assert.deepEqual(labels(model, points), ['train 000000 lr=0.1', 'train 000001 lr=0.01']);
  assert.deepEqual(model.parent(points[0]!), sweep);
  assert.deepEqual(model.parent(sweep), target);
});
