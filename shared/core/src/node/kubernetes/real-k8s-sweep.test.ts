/**
 * Sweeps on the Kubernetes target on a REAL control plane
 * (scripts/dev-k8s.sh; kwok's fake node runs the pods), through a real
 * RunEngine, in a namespace enforcing Pod Security "restricted": one Indexed
 * Job per step over every point, index i running point i, released in DAG
 * order once the upstream Job finished every point. What the cluster says
 * (Jobs and pods read with an admin client) is checked independently of
 * Ferry's own view. kwok runs nothing in the pods: the runtime's side of a
 * point (--sweep-point) is covered by the runtime's own tests.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { PipelineSpec } from '../../spec.js';
import { planSweep } from '../../sweeps/expand-sweep.js';
import { compileNotebookFile } from '../compile-file.js';
import type { KubernetesTargetConfig } from '../config.js';
import { RunEngine, type SweepWithRuns } from '../engine.js';
import { repoRoot } from '../slurm/real-cluster-testing.js';
import { stepOf, testHome, waitFor, waitForFinalRun, type TestHome } from '../testing.js';
import { K8sWitness, kwokPace, skipWithoutK8s as skip } from './real-k8s-testing.js';

const ms = (time: Date | string | undefined) => new Date(time ?? 0).getTime();
const jobOf = (jobs: readonly V1Job[], step: string) => jobs.find((job) => job.metadata?.annotations?.['ferry.dev/step'] === step)!;
const isTrue = (job: V1Job, type: string) => job.status?.conditions?.some((condition) => condition.type === type && condition.status === 'True') === true;

/** The most pods of `pods` that ran at the same time, by the cluster's own times (whole seconds). */
function mostAtOnce(pods: readonly V1Pod[]): number {
  const spans = pods.map((pod) => [ms(pod.status?.startTime), ms(pod.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt)] as const);
  return Math.max(...spans.map(([start, end]) => spans.filter(([otherStart, otherEnd]) => otherStart < end && start < otherEnd).length));
}

describe('sweeps as Indexed Jobs on the dev control plane', { skip, concurrency: false }, () => {
  const witness = new K8sWitness(`ferry-k8s-sweep-${process.pid}-${Date.now().toString(36)}`);
  let home: TestHome;
  let trainPipeline: PipelineSpec;

  const open = (target: KubernetesTargetConfig) =>
    RunEngine.open({
      paths: home.paths,
      config: { targets: { local: { type: 'local', python: 'python3', maxParallel: 1 }, k8s: target } },
      kubernetes: { cancelWaitMs: 30_000, poll: { minMs: 300, maxMs: 1_000 } },
    });

  before(async () => {
    await witness.createNamespace();
    home = testHome();
    trainPipeline = await compileNotebookFile(join(repoRoot, 'examples/train_pipeline.ipynb'));
  });

  after(async () => {
    await witness.cleanUp();
    home?.cleanup();
  });

  function sweep(engine: RunEngine, axis: string, maxParallel: number): Promise<SweepWithRuns> {
    const { definition, points } = planSweep(trainPipeline, { axisStrings: [axis], fromStrings: true, maxParallel });
    return engine.submitSweep({ notebookPath: home.notebookPath, spec: trainPipeline, target: 'k8s', mode: 'script', definition, points });
  }

  test('4 points, 2 at once: one Indexed Job per step, released when its upstream Job finished every point; all four runs succeed', async () => {
    const engine = await open(witness.target({ podAnnotations: kwokPace(2) }));
    try {
      const { sweep: created, runs } = await sweep(engine, 'epochs=1,2,3,4', 2);
      const selector = `ferry.dev/sweep=${created.id}`;
      const jobs = await waitFor('the Jobs', async () => {
        const found = await witness.jobs(selector);
        return found.length === trainPipeline.steps.length ? found : undefined;
      }, 30_000);
      for (const job of jobs) {
        assert.equal(job.spec?.completionMode, 'Indexed');
        assert.equal(job.spec?.completions, 4);
        assert.equal(job.spec?.parallelism, 2);
        assert.deepEqual(JSON.parse(job.metadata!.annotations!['ferry.dev/points']!), runs.map((run) => run.id), 'index i is point i');
      }
      const finals = await Promise.all(runs.map((run) => waitForFinalRun(engine, run.id, 180_000)));
      assert.deepEqual(finals.map((run) => run.state), ['succeeded', 'succeeded', 'succeeded', 'succeeded'], JSON.stringify(finals.map((run) => run.steps)));
      for (const run of finals) {
        assert.deepEqual(run.parameters.epochs, run.sweepIndex! + 1);
        for (const step of run.steps) assert.equal(step.jobId, `${jobOf(jobs, step.name).metadata!.name}#${run.sweepIndex}`);
      }

      // The cluster's word: every index of every step completed, never more than 2 at once,
      // and each Job started only after its upstream Job had finished all four points.
      // A point's step is done when its index is; the Job's Complete condition follows once every pod of it ended.
      const done = await waitFor('every Job complete', async () => {
        const found = await witness.jobs(selector);
        return found.every((job) => isTrue(job, 'Complete')) ? found : undefined;
      }, 30_000);
      for (const step of trainPipeline.steps) {
        const job = jobOf(done, step.name);
        assert.equal(job.status?.completedIndexes, '0-3');
        const pods = await witness.pods(`${selector},ferry.dev/step=${step.name}`);
        assert.equal(pods.length, 4, `one pod per point of ${step.name}`);
        assert.ok(mostAtOnce(pods) <= 2, `${step.name}: ${mostAtOnce(pods)} pods at once`);
        for (const upstream of step.dependsOn) {
          const before = jobOf(done, upstream);
          assert.ok(ms(job.status?.startTime) >= ms(before.status?.completionTime), `${step.name} started before ${upstream} finished every point`);
        }
      }
    } finally {
      await engine.close();
    }
  });

  test("a point failing in a step fails that point alone: its downstream steps are skipped, the other points' go on", async () => {
    const engine = await open(witness.target({ podAnnotations: kwokPace(1) }));
    const stopFailing = await witness.failStep('train', 5, 1);
    try {
      const { sweep: created, runs } = await sweep(engine, 'seed=1,2,3', 3);
      const finals = await Promise.all(runs.map((run) => waitForFinalRun(engine, run.id, 180_000))).finally(stopFailing);
      assert.deepEqual(finals.map((run) => run.state), ['succeeded', 'failed', 'succeeded'], JSON.stringify(finals.map((run) => run.steps)));
      const train = stepOf(finals[1]!, 'train');
      assert.equal(train.state, 'failed');
      assert.equal(train.reason, 'the step exited with code 5');
      assert.equal(stepOf(finals[1]!, 'evaluate').state, 'skipped');

      const jobs = await witness.jobs(`ferry.dev/sweep=${created.id}`);
      const trainJob = jobOf(jobs, 'train');
      assert.ok(isTrue(trainJob, 'Failed'), 'the Job of train failed, one index failing');
      assert.deepEqual([trainJob.status?.completedIndexes, trainJob.status?.failedIndexes], ['0,2', '1']);
      // The skipped point is on record on the downstream Job, which still ran the others (and, on kwok, that one).
      const evaluate = jobOf(jobs, 'evaluate');
      assert.deepEqual(JSON.parse(evaluate.metadata!.annotations!['ferry.dev/cancelled-points']!), [1]);
      assert.ok(ms(evaluate.status?.startTime) >= ms(trainJob.status?.conditions?.find((condition) => condition.type === 'Failed')?.lastTransitionTime));
    } finally {
      await engine.close();
    }
  });

  test('cancelling a running sweep deletes its Jobs and their pods', async () => {
    const engine = await open(witness.target({ podAnnotations: kwokPace(60) }));
    try {
      const { sweep: created, runs } = await sweep(engine, 'epochs=1,2,3,4', 2);
      const selector = `ferry.dev/sweep=${created.id}`;
      await waitFor('two points running', async () => {
        const current = await Promise.all(runs.map((run) => engine.getRun(run.id)));
        return current.filter((run) => stepOf(run, 'prepare').state === 'running').length === 2;
      }, 60_000);
      assert.equal((await witness.pods(selector)).length, 2, 'two pods: the sweep runs at most 2 points at once');
      await engine.cancelSweep(created.id);
      const finals = await Promise.all(runs.map((run) => waitForFinalRun(engine, run.id, 60_000)));
      assert.deepEqual(finals.map((run) => run.state), ['cancelled', 'cancelled', 'cancelled', 'cancelled']);
      assert.deepEqual(await witness.jobs(selector), []);
      await waitFor('the pods gone', async () => (await witness.pods(selector)).length === 0, 60_000);
    } finally {
      await engine.close();
    }
  });
});
