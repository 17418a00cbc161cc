/**
 * The Kubernetes target on a REAL control plane (scripts/dev-k8s.sh:
 * kube-apiserver, etcd, controller-manager, scheduler; kwok's fake node runs
 * the pods), through a real RunEngine, in a namespace enforcing Pod Security
 * "restricted". Skipped, saying so, without it (CI always starts it).
 *
 * What the cluster itself says (Jobs and pods read with an admin client) is
 * checked independently of Ferry's own view. kwok completes a Job's pod
 * 1-6 s after it starts; a Stage fails the pods of a chosen step instead.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { V1Job } from '@kubernetes/client-node';
import type { Run } from '../../run.js';
import type { PipelineSpec } from '../../spec.js';
import { compileNotebookFile } from '../compile-file.js';
import type { KubernetesTargetConfig } from '../config.js';
import { RunEngine } from '../engine.js';
import { repoRoot } from '../slurm/real-cluster-testing.js';
import { stepOf, testHome, waitFor, waitForFinalRun, type TestHome } from '../testing.js';
import { K8sWitness, kwokPace, skipWithoutK8s as skip } from './real-k8s-testing.js';

const ms = (time: Date | string | undefined) => new Date(time ?? 0).getTime();
const jobOf = (jobs: readonly V1Job[], step: string) => jobs.find((job) => job.metadata?.annotations?.['ferry.dev/step'] === step);

describe('the Kubernetes target on the dev control plane', { skip, concurrency: false }, () => {
  const witness = new K8sWitness(`ferry-k8s-${process.pid}-${Date.now().toString(36)}`);
  let home: TestHome;
  let engine: RunEngine;
  let trainPipeline: PipelineSpec;

  const open = (targets: Record<string, KubernetesTargetConfig>) =>
    RunEngine.open({
      paths: home.paths,
      config: { targets: { local: { type: 'local', python: 'python3', maxParallel: 1 }, ...targets } },
      kubernetes: { cancelWaitMs: 30_000, poll: { minMs: 300, maxMs: 1_000 } },
    });

  before(async () => {
    await witness.createNamespace();
    home = testHome();
    trainPipeline = await compileNotebookFile(join(repoRoot, 'examples/train_pipeline.ipynb'));
    engine = await open({ k8s: witness.target() });
  });

  after(async () => {
    await engine?.close();
    await witness.cleanUp();
    home?.cleanup();
  });

  function submit(spec: PipelineSpec, parameters: Record<string, unknown> = {}): Promise<Run> {
    const values = Object.fromEntries(spec.parameters.map((param) => [param.name, param.default]));
    return engine.submit({ notebookPath: home.notebookPath, spec, target: 'k8s', mode: 'script', parameters: { ...values, ...parameters } as Run['parameters'] });
  }

  test('train_pipeline: one suspended Job per step, admitted under "restricted", released in DAG order; the run succeeds', async () => {
    const run = await submit(trainPipeline, { epochs: 2 });
    const selector = `ferry.dev/run=${run.id}`;
    const created = await waitFor('the Jobs', async () => {
      const jobs = await witness.jobs(selector);
      return jobs.length === trainPipeline.steps.length ? jobs : undefined;
    }, 30_000);
    for (const job of created) {
      assert.equal(job.metadata?.labels?.['app.kubernetes.io/managed-by'], 'ferry');
      assert.equal(job.spec?.template.spec?.securityContext?.runAsNonRoot, true);
      assert.equal(job.spec?.template.spec?.restartPolicy, 'Never');
    }
    const final = await waitForFinalRun(engine, run.id, 120_000);
    assert.equal(final.state, 'succeeded', JSON.stringify(final.steps.map((step) => [step.name, step.state, step.reason])));

    // The cluster's own times: each Job started only after its upstream Jobs completed.
    const jobs = await witness.jobs(selector);
    for (const step of trainPipeline.steps) {
      const job = jobOf(jobs, step.name)!;
      assert.ok(job.status?.conditions?.some((condition) => condition.type === 'Complete' && condition.status === 'True'), `${step.name} completed`);
      for (const upstream of step.dependsOn) {
        const before = jobOf(jobs, upstream)!;
        assert.ok(ms(job.status?.startTime) >= ms(before.status?.completionTime), `${step.name} started before ${upstream} completed`);
      }
    }
    const pods = await witness.pods(selector);
    assert.equal(pods.length, trainPipeline.steps.length, 'one pod per step, all admitted');

    // Where the steps ran: the node the scheduler put each pod on (the dev cluster's one fake node), none started again.
    assert.deepEqual(pods.map((pod) => pod.spec?.nodeName), pods.map(() => 'kwok-node-0'));
    assert.deepEqual(final.steps.map((step) => [step.name, step.node, step.retries]), trainPipeline.steps.map((step) => [step.name, 'kwok-node-0', 0]));
    const facts = engine.comparison().compare([run.id]).runs[0]!.job;
    assert.deepEqual([facts.place, facts.node, facts.retries], [`namespace ${witness.namespace}`, 'kwok-node-0', 0]);
  });

  test('a step failing with exit code 3 fails the run, says so, and its downstream steps never run', async () => {
    const middle = trainPipeline.steps.find((step) => step.dependsOn.length > 0 && trainPipeline.steps.some((other) => other.dependsOn.includes(step.name)))!;
    const stopFailing = await witness.failStep(middle.name, 3);
    const run = await submit(trainPipeline);
    const final = await waitForFinalRun(engine, run.id, 120_000).finally(stopFailing);
    assert.equal(final.state, 'failed');
    const failed = stepOf(final, middle.name);
    assert.equal(failed.state, 'failed');
    assert.match(failed.reason ?? '', /exit(ed)? (with )?code 3/);
    const downstream = trainPipeline.steps.filter((step) => step.dependsOn.includes(middle.name));
    for (const step of downstream) assert.equal(stepOf(final, step.name).state, 'skipped', step.name);
    // No pod ever ran for a skipped step.
    for (const step of downstream) assert.deepEqual(await witness.pods(`ferry.dev/run=${run.id},ferry.dev/step=${step.name}`), []);
  });

  /** kwok keeps a Job's pod running this long before completing it. */
  const slowPods = kwokPace;

  /** Serves each pod of `run` a log as soon as it exists: `lines(step)` first, then `more(step)` a second later. */
  function serveLogs(runId: string, lines: (step: string) => string[], more: (step: string) => string[] = () => []): () => void {
    const served = new Set<string>();
    let stopped = false;
    const loop = async () => {
      while (!stopped) {
        for (const pod of await witness.pods(`ferry.dev/run=${runId}`)) {
          const name = pod.metadata!.name!;
          const step = pod.metadata!.labels!['ferry.dev/step']!;
          if (served.has(name)) continue;
          served.add(name);
          const append = await witness.serveLog(name, lines(step));
          setTimeout(() => append(more(step)), 1_000);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    void loop();
    return () => {
      stopped = true;
    };
  }

  test("a step's log and metric records stream from its pod into Ferry while it runs, and stay after the Job is gone", async () => {
    const slow = await open({ slow: witness.target({ podAnnotations: slowPods(6) }) });
    try {
      const values = Object.fromEntries(trainPipeline.steps.length ? trainPipeline.parameters.map((param) => [param.name, param.default]) : []);
      const run = await slow.submit({ notebookPath: home.notebookPath, spec: trainPipeline, target: 'slow', mode: 'script', parameters: values as Run['parameters'] });
      const stop = serveLogs(
        run.id,
        (step) => [`${step} says hello`, `##ferry:metric {"name":"loss","value":0.5,"step":1,"time":1,"source":"log_metric"}`],
        (step) => [`${step} says goodbye`, `##ferry:metric {"name":"loss","value":0.25,"step":2,"time":2,"source":"log_metric"}`],
      );
      try {
        const first = trainPipeline.steps[0]!.name;
        await waitFor('the first line while the step runs', async () => {
          const [current, log] = await Promise.all([slow.getRun(run.id), slow.readLog(run.id, first, 0, 1 << 16)]);
          return stepOf(current, first).state === 'running' && log.data.toString().includes(`${first} says hello`);
        }, 60_000);
        const final = await waitForFinalRun(slow, run.id, 180_000);
        assert.equal(final.state, 'succeeded');
        await witness.batch.deleteCollectionNamespacedJob({ namespace: witness.namespace, labelSelector: `ferry.dev/run=${run.id}`, propagationPolicy: 'Background' });
        for (const step of trainPipeline.steps) {
          const log = (await slow.readLog(run.id, step.name, 0, 1 << 16)).data.toString();
          assert.equal(log, `${step.name} says hello\n${step.name} says goodbye\n`, `the log of ${step.name}, records taken out`);
        }
        const loss = (await slow.getMetrics(run.id)).filter((series) => series.name === 'loss');
        assert.deepEqual(loss.map((series) => series.points.map((point) => point.value)), trainPipeline.steps.map(() => [0.5, 0.25]));
      } finally {
        stop();
      }
    } finally {
      await slow.close();
    }
  });

  test('cancel deletes the run\'s Jobs and their pods', async () => {
    const slow = await open({ slow: witness.target({ podAnnotations: slowPods(60) }) });
    try {
      const values = Object.fromEntries(trainPipeline.parameters.map((param) => [param.name, param.default]));
      const run = await slow.submit({ notebookPath: home.notebookPath, spec: trainPipeline, target: 'slow', mode: 'script', parameters: values as Run['parameters'] });
      await waitFor('the first step running', async () => stepOf(await slow.getRun(run.id), trainPipeline.steps[0]!.name).state === 'running', 60_000);
      const cancelled = await slow.cancel(run.id);
      assert.equal((await waitForFinalRun(slow, run.id, 60_000)).state, 'cancelled', JSON.stringify(cancelled.state));
      assert.deepEqual(await witness.jobs(`ferry.dev/run=${run.id}`), []);
      await waitFor('the pods gone', async () => (await witness.pods(`ferry.dev/run=${run.id}`)).length === 0, 60_000);
    } finally {
      await slow.close();
    }
  });

  test('a server restarted mid-run carries the run on from the cluster: it releases the next Jobs and the run succeeds', async () => {
    const target = { slow: witness.target({ podAnnotations: slowPods(4) }) };
    let first = await open(target);
    const values = Object.fromEntries(trainPipeline.parameters.map((param) => [param.name, param.default]));
    const run = await first.submit({ notebookPath: home.notebookPath, spec: trainPipeline, target: 'slow', mode: 'script', parameters: values as Run['parameters'] });
    await waitFor('the first step running', async () => stepOf(await first.getRun(run.id), trainPipeline.steps[0]!.name).state === 'running', 60_000);
    await first.close();
    // While no server runs, nothing releases the second step: it stays suspended.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const second = jobOf(await witness.jobs(`ferry.dev/run=${run.id}`), trainPipeline.steps[1]!.name)!;
    assert.equal(second.spec?.suspend, true, 'no server, no release');
    first = await open(target);
    try {
      const final = await waitForFinalRun(first, run.id, 120_000);
      assert.equal(final.state, 'succeeded', JSON.stringify(final.steps.map((step) => [step.name, step.state, step.reason])));
    } finally {
      await first.close();
    }
  });
});
