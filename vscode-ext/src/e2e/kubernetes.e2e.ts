/**
 * The Run-on-cluster scenario against the Kubernetes target on the real
 * control plane of the dev cluster (scripts/dev-k8s.sh; kwok's fake node
 * "runs" the pods): a kubernetes target in the workbench's FERRY_HOME on a
 * namespace of the test's own, picked in the quick pick; the form's values
 * reach the cluster, the sidebar follows the Jobs to "succeeded", a step's
 * log shows what its pod's log held, and the metric records in that log
 * draw a chart. The pods' logs are written by the test (kwok executes
 * nothing); kubectl is the witness, independent of Ferry's client.
 * Skipped, saying why, without FERRY_DEV_K8S or without the workbench.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { devK8s, devK8sUnavailable, K8sWitness, type PodFacts } from './kubernetes-witness.js';
import { chartPointCounts, openNotebook, openRunMetrics, openStepLog, runOnCluster, stepRow, waitForLogText, waitForRunState } from './scenario.js';
import { extensionLog, startWorkbench, waitFor, workbenchUnavailable, type Workbench } from './workbench.js';

const skip = workbenchUnavailable() ?? devK8sUnavailable;
const witness = skip ? undefined : new K8sWitness(devK8s!, `ferry-e2e-vscode-${process.pid}-${Date.now().toString(36)}`);
let workbench: Workbench | undefined;

/** The losses the train step's pod logs, one metric record a line. */
const LOSSES = [0.9, 0.55, 0.31, 0.2];

/** What each step's pod prints: a line naming the pod, and in train's log the loss records between other lines. */
function podLog(pod: PodFacts): string[] {
  const records = pod.step === 'train'
    ? LOSSES.map((value, index) => `##ferry:metric ${JSON.stringify({ name: 'loss', value, step: index + 1, time: Date.now() / 1000 + index, source: 'log_metric' })}`)
    : [];
  return [`${pod.step} starts in pod ${pod.name}`, ...records, `${pod.step} done in pod ${pod.name}`];
}

before(async () => {
  if (!witness) return;
  await witness.createNamespace();
  // Each step's pod runs 3 s: long enough for its log to be served while it runs.
  workbench = await startWorkbench({ examples: ['train_pipeline.ipynb'], ferryConfig: { targets: { kubernetes: witness.target(3) } } });
});

after(async () => {
  await workbench?.close();
  await witness?.cleanUp();
});

test('Run on cluster on Kubernetes: the sidebar reaches succeeded, a step\'s log shows its pod\'s lines, its metric records draw a chart', { skip }, async () => {
  const { page } = workbench!;
  const logs = witness!.serveLogs(podLog);
  try {
    await openNotebook(page, 'train_pipeline.ipynb');
    await runOnCluster(page, 'kubernetes', { epochs: '4' });
    const row = await waitForRunState(page, 'train_pipeline', 'succeeded', 180_000);
    assert.match(row, /3\/3 steps/);
    assert.match((await stepRow(page, 'train').getAttribute('aria-label')) ?? '', /^train, succeeded/);

    // The cluster's own word: one pod per step, each completed, and the form's value in the run's parameters.
    const pods = await witness!.pods();
    assert.deepEqual(pods.map((pod) => pod.step).sort(), ['evaluate', 'prepare', 'train']);
    assert.deepEqual(pods.map((pod) => pod.phase), ['Succeeded', 'Succeeded', 'Succeeded']);
    assert.equal((await witness!.runParameters(pods[0]!.run)).epochs, 4);

    const trainPod = logs.served.find((pod) => pod.step === 'train')!;
    const frame = await openStepLog(page, 'train');
    const text = await waitForLogText(frame, `train done in pod ${trainPod.name}`, 60_000);
    assert.match(text, new RegExp(`train starts in pod ${trainPod.name}`));
    assert.doesNotMatch(text, /##ferry:metric/, 'the metric records are taken out of the log');
    await page.keyboard.press('Control+W');

    const metrics = await openRunMetrics(page, 'train_pipeline');
    const counts = await waitFor('the loss series', 60_000, async () => {
      const seen = await chartPointCounts(metrics);
      return Object.keys(seen).some((name) => /loss/.test(name)) ? seen : undefined;
    });
    assert.deepEqual(Object.entries(counts).filter(([name]) => /loss/.test(name)).map(([, count]) => count), [LOSSES.length], JSON.stringify(counts));
  } catch (error) {
    const shot = await workbench!.screenshot('kubernetes-run-on-cluster').catch(() => 'none');
    const log = extensionLog(workbench!.userData).trim().split('\n').slice(-15).join('\n');
    throw Object.assign(error as Error, { message: `${(error as Error).message}\nscreenshot: ${shot}\nextension log:\n${log}` });
  } finally {
    logs.stop();
  }
});
