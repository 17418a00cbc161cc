import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { ActiveStep } from '../targets/target.js';
import { activeSweepJobs, observePoint, parsePointJobId, pointJobId, pointStepState } from './sweep-jobs.js';

const JOB = 'ferry-s-20260102-030405-abcdef-train';

function sweepJob(status: V1Job['status'] = {}, suspend = false, name = JOB, sweep = 's-20260102-030405-abcdef'): V1Job {
  return {
    metadata: { name, labels: { 'ferry.dev/sweep': sweep }, annotations: { 'ferry.dev/step': 'train', 'ferry.dev/depends-on': '[]' } },
    spec: { suspend, completionMode: 'Indexed', completions: 4, parallelism: 2, template: {} },
    status,
  };
}

function podOf(index: number, status: V1Pod['status'], created = '2026-01-02T03:05:00Z'): V1Pod {
  return {
    metadata: {
      name: `${JOB}-${index}-x${created.slice(-3, -1)}`,
      creationTimestamp: new Date(created),
      labels: { 'batch.kubernetes.io/job-name': JOB, 'batch.kubernetes.io/job-completion-index': String(index) },
    },
    status,
  };
}

const ended = (exitCode: number): V1Pod['status'] => ({
  phase: exitCode === 0 ? 'Succeeded' : 'Failed',
  startTime: new Date('2026-01-02T03:05:01Z'),
  containerStatuses: [{ name: 'step', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, finishedAt: new Date('2026-01-02T03:06:00Z') } } }],
});

describe("a sweep point's job id", () => {
  test('names the Job and the completion index, and only a point has one', () => {
    assert.equal(pointJobId({ jobName: JOB, index: 3 }), `${JOB}#3`);
    assert.deepEqual(parsePointJobId(`${JOB}#3`), { jobName: JOB, index: 3 });
    for (const runJob of ['ferry-r-20260102-030405-abcdef-train', `${JOB}#`, `${JOB}#-1`, `${JOB}#01`, `${JOB}#3#4`]) assert.equal(parsePointJobId(runJob), undefined, runJob);
  });
});

describe("one point's step from its sweep Job and the pod of its index", () => {
  test('a completed index succeeded, with its own pod\'s times', () => {
    assert.deepEqual(pointStepState(sweepJob({ completedIndexes: '0,2' }), 2, podOf(2, ended(0))), {
      state: 'succeeded',
      exitCode: 0,
      startedAt: '2026-01-02T03:05:01.000Z',
      finishedAt: '2026-01-02T03:06:00.000Z',
    });
    // Index 1 has not completed: another point's success is not this one's.
    assert.equal(pointStepState(sweepJob({ completedIndexes: '0,2' }), 1, podOf(1, { phase: 'Running' })).state, 'running');
  });

  test('a failed index says why: its exit code, or that the runtime did not run it for its upstream step', () => {
    const failed = pointStepState(sweepJob({ completedIndexes: '0', failedIndexes: '1' }), 1, podOf(1, ended(4)));
    assert.deepEqual([failed.state, failed.exitCode, failed.reason], ['failed', 4, 'the step exited with code 4']);
    const refused = pointStepState(sweepJob({ failedIndexes: '1' }), 1, podOf(1, ended(3)));
    assert.equal(refused.reason, 'not run: an upstream step did not succeed in this point');
  });

  test('waiting: for the upstream steps, for a slot of the sweep, for a node', () => {
    assert.deepEqual(pointStepState(sweepJob({}, true), 0, undefined), { state: 'queued', reason: 'waiting for its upstream steps to finish in every point of the sweep' });
    assert.deepEqual(pointStepState(sweepJob({ completedIndexes: '0' }), 3, undefined), { state: 'queued', reason: 'waiting for a free slot: the sweep runs at most 2 points at once' });
    const unschedulable = podOf(3, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] });
    assert.deepEqual(pointStepState(sweepJob(), 3, unschedulable), { state: 'queued', reason: 'Unschedulable: 0/1 nodes are available' });
  });

  test('a deleted Job is a cancelled step; a Job that ended without the index failed it', () => {
    assert.equal(pointStepState(undefined, 0, undefined).state, 'cancelled');
    const ended = pointStepState(sweepJob({ conditions: [{ type: 'Failed', status: 'True', reason: 'MaxFailedIndexesExceeded' }], failedIndexes: '0' }), 2, undefined);
    assert.equal(ended.state, 'failed');
    assert.match(ended.reason!, /MaxFailedIndexesExceeded/);
  });

  test("a poll finds the index's newest pod, not another index's", () => {
    const pods = [podOf(1, ended(0)), podOf(2, { phase: 'Failed' }, '2026-01-02T03:05:00Z'), podOf(2, { phase: 'Running' }, '2026-01-02T03:07:00Z')];
    const seen = observePoint(`${JOB}#2`, new Map([[JOB, sweepJob()]]), pods)!;
    assert.equal(seen.pod, pods[2]);
    assert.equal(seen.seen.state, 'running');
    assert.equal(observePoint('ferry-r-20260102-030405-abcdef-train', new Map(), pods), undefined);
  });
});

test('the Jobs released together are those of each sweep with an active point', () => {
  const other = 's-20260102-030405-ffffff';
  const jobs = [sweepJob(), sweepJob({}, true, `${JOB}x`), sweepJob({}, true, 'ferry-s-other-train', other), { metadata: { name: 'ferry-r-x-train', labels: { 'ferry.dev/run': 'r-x' } } }];
  const active = (jobId: string): ActiveStep => ({ runId: 'r', runDir: '/r', step: 'train', jobId, state: 'queued', logOffset: 0, metricsOffset: 0 });
  const groups = activeSweepJobs([active(`${JOB}#0`), active(`${JOB}#1`), active('ferry-r-x-train')], jobs);
  assert.deepEqual(groups.map((group) => group.map((job) => job.metadata!.name)), [[JOB, `${JOB}x`]]);
});
