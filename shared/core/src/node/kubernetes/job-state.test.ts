import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { jobPlacement, jobStepState, jobsToRelease } from './job-state.js';

function job(step: string, dependsOn: string[], status: V1Job['status'] = {}, suspend = false): V1Job {
  return {
    metadata: { name: `ferry-r-${step}`, annotations: { 'ferry.dev/step': step, 'ferry.dev/depends-on': JSON.stringify(dependsOn) } },
    spec: { suspend, template: {} },
    status,
  };
}
const done = { conditions: [{ type: 'Complete', status: 'True' }], startTime: new Date('2026-12-01T10:00:00Z'), completionTime: new Date('2026-12-01T10:05:00Z') };
const failedBy = (reason: string, message = '') => ({ conditions: [{ type: 'Failed', status: 'True', reason, message, lastTransitionTime: new Date('2026-12-01T10:03:00Z') }] });
const pod = (status: V1Pod['status']): V1Pod => ({ metadata: { name: 'ferry-r-train-x1' }, status });

describe('where a step ran and how often it was retried', () => {
  const placed = (nodeName: string): V1Pod => ({ metadata: { name: 'ferry-r-train-x1' }, spec: { nodeName, containers: [] } });

  test('the node is the one the newest pod was scheduled on; a pod not yet scheduled has none', () => {
    assert.deepEqual(jobPlacement(job('train', [], {}), placed('gpu-node-7')), { node: 'gpu-node-7', retries: 0 });
    assert.deepEqual(jobPlacement(job('train', [], {}), pod({ phase: 'Pending' })), { retries: 0 });
  });

  test('each failed pod that a new pod followed is a retry; the last pod of a Job that failed is not', () => {
    assert.equal(jobPlacement(job('train', [], { failed: 2, active: 1 }), placed('n')).retries, 2);
    assert.equal(jobPlacement(job('train', [], { ...done, failed: 1 }), placed('n')).retries, 1);
    assert.equal(jobPlacement(job('train', [], { ...failedBy('BackoffLimitExceeded'), failed: 2 }), placed('n')).retries, 1);
    assert.equal(jobPlacement(job('train', [], { ...failedBy('PodFailurePolicy'), failed: 1 }), placed('n')).retries, 0);
  });

  test('a sweep point (no Job of its own) gets its node but no retry count', () => {
    assert.deepEqual(jobPlacement(undefined, placed('gpu-node-1')), { node: 'gpu-node-1' });
  });
});

describe('a step from its Job and pod', () => {
  test('a completed Job is a succeeded step with the Job\'s times', () => {
    assert.deepEqual(jobStepState(job('train', [], done), undefined), {
      state: 'succeeded',
      exitCode: 0,
      startedAt: '2026-12-01T10:00:00.000Z',
      finishedAt: '2026-12-01T10:05:00.000Z',
    });
  });

  test('a Job failed by the pod failure policy names the exit code of the step', () => {
    const state = jobStepState(job('train', [], failedBy('PodFailurePolicy', 'Container step for pod ... failed with exit code 3 matching FailJob rule at index 0')), pod({ phase: 'Failed', containerStatuses: [{ name: 'step', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 3 } } }] }));
    assert.equal(state.state, 'failed');
    assert.equal(state.exitCode, 3);
    assert.equal(state.reason, 'the step exited with code 3');
  });

  test('a deadline is said in the words of the step\'s time resource', () => {
    assert.match(jobStepState(job('train', [], failedBy('DeadlineExceeded')), undefined).reason!, /time limit/);
  });

  test('a suspended Job waits for its upstream steps; a pending pod says why', () => {
    assert.deepEqual(jobStepState(job('train', ['prepare'], {}, true), undefined), { state: 'queued', reason: 'waiting for its upstream steps' });
    const unschedulable = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes have enough nvidia.com/gpu' }] });
    assert.equal(jobStepState(job('train', []), unschedulable).reason, 'Unschedulable: 0/1 nodes have enough nvidia.com/gpu');
  });

  test('a running pod is a running step; a deleted Job a cancelled one', () => {
    assert.equal(jobStepState(job('train', [], { startTime: new Date() }), pod({ phase: 'Running' })).state, 'running');
    assert.equal(jobStepState(undefined, undefined).state, 'cancelled');
    // The pod ended, the Job controller has not ruled yet: still running, not back to queued.
    assert.equal(jobStepState(job('train', [], { startTime: new Date() }), pod({ phase: 'Succeeded' })).state, 'running');
  });
});

describe('which suspended Jobs to release', () => {
  test('those whose upstream Jobs all completed, in a diamond', () => {
    const run = [job('prepare', [], done), job('left', ['prepare'], {}, true), job('right', ['prepare'], done), job('join', ['left', 'right'], {}, true)];
    assert.deepEqual(jobsToRelease(run).map((each) => each.metadata!.name), ['ferry-r-left']);
    run[1] = job('left', ['prepare'], done);
    assert.deepEqual(jobsToRelease(run).map((each) => each.metadata!.name), ['ferry-r-join']);
  });

  test('a root is released at once; nothing waits on a failed or missing upstream Job', () => {
    assert.deepEqual(jobsToRelease([job('prepare', [], {}, true)]).map((each) => each.metadata!.name), ['ferry-r-prepare']);
    assert.deepEqual(jobsToRelease([job('prepare', [], failedBy('PodFailurePolicy')), job('train', ['prepare'], {}, true)]), []);
    assert.deepEqual(jobsToRelease([job('train', ['prepare'], {}, true)]), []);
  });

  test("a sweep's step waits until its upstream Job finished every point, and goes on when some of them succeeded", () => {
    const indexed = (step: string, dependsOn: string[], status: V1Job['status'], suspend = false): V1Job => {
      const each = job(step, dependsOn, status, suspend);
      each.spec = { ...each.spec!, completionMode: 'Indexed', completions: 4 };
      return each;
    };
    const evaluate = indexed('evaluate', ['train'], {}, true);
    const released = (train: V1Job['status']) => jobsToRelease([indexed('train', [], train), evaluate]).map((each) => each.metadata!.name);
    // Points still running: the Job has neither condition yet, whatever indexes already ended.
    assert.deepEqual(released({ completedIndexes: '0-1', failedIndexes: '3' }), []);
    assert.deepEqual(released({ ...failedBy('FailedIndexes'), completedIndexes: '0-1', failedIndexes: '2-3' }), ['ferry-r-evaluate']);
    assert.deepEqual(released({ ...done, completedIndexes: '0-3' }), ['ferry-r-evaluate']);
    // Every point failed: nothing to go on with.
    assert.deepEqual(released({ ...failedBy('FailedIndexes'), failedIndexes: '0-3' }), []);
    // A run's Job that failed never lets its downstream Job start, whatever its status says.
    assert.deepEqual(jobsToRelease([job('train', [], { ...failedBy('PodFailurePolicy'), completedIndexes: '0' }), job('evaluate', ['train'], {}, true)]), []);
  });
});
