/**
 * Run on cluster against the Kubernetes target on the real control plane of
 * the dev cluster (scripts/dev-k8s.sh; kwok's fake node "runs" the pods), in
 * the namespace of the kubernetes target write-config.mjs puts in the test
 * FERRY_HOME: the form's values reach the cluster, the side panel follows
 * the Jobs to "succeeded", a step's log shows what its pod's log held, and
 * the metric records in that log draw a chart. The pods' logs are written
 * by the test (kwok executes nothing); kubectl is the witness, independent
 * of Ferry's client. Skipped, saying why, without FERRY_DEV_K8S.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@jupyterlab/galata';
import { openExample, runOnCluster, runRow } from './helpers.js';
import { K8sWitness, type DevK8s, type PodFacts } from './kubernetes-witness.js';

interface KubernetesTarget {
  type: string;
  namespace: string;
  storage: { claim: string };
}

const clusterFile = process.env.FERRY_DEV_K8S;
const cluster = clusterFile && existsSync(clusterFile) ? (JSON.parse(readFileSync(clusterFile, 'utf8')) as DevK8s) : undefined;
const configFile = join(process.env.FERRY_HOME ?? '', 'config.json');
const target = cluster && existsSync(configFile)
  ? (JSON.parse(readFileSync(configFile, 'utf8')) as { targets: Record<string, KubernetesTarget> }).targets.kubernetes
  : undefined;
const witness = target ? new K8sWitness(cluster!, target.namespace, target.storage.claim) : undefined;

test.use({ autoGoto: true });
test.skip(
  !witness,
  !cluster
    ? `no dev Kubernetes control plane (FERRY_DEV_K8S ${clusterFile ? `names ${clusterFile}, which does not exist` : 'unset'}); start one with \`bash scripts/dev-k8s.sh up\` and set FERRY_DEV_K8S=/var/lib/ferry-dev-k8s/cluster.json`
    : `no kubernetes target in ${configFile}: run this through scripts/jupyterlab-e2e.sh, which writes it`,
);

test.beforeAll(async () => {
  await witness?.createNamespace();
});

test.afterAll(async () => {
  await witness?.cleanUp();
});

/** The losses the train step's pod logs, one metric record a line. */
const LOSSES = [0.9, 0.55, 0.31, 0.2];

/** What each step's pod prints: a line naming the pod, and in train's log the loss records between other lines. */
function podLog(pod: PodFacts): string[] {
  const records = pod.step === 'train'
    ? LOSSES.map((value, index) => `##ferry:metric ${JSON.stringify({ name: 'loss', value, step: index + 1, time: Date.now() / 1000 + index, source: 'log_metric' })}`)
    : [];
  return [`${pod.step} starts in pod ${pod.name}`, ...records, `${pod.step} done in pod ${pod.name}`];
}

test('Run on cluster on Kubernetes: the run succeeds in the side panel, a step’s log shows its pod’s lines, its metric records draw a chart', async ({ page, tmpPath }) => {
  const logs = witness!.serveLogs(podLog);
  try {
    await openExample(page, tmpPath, 'train_pipeline.ipynb', 'train.ipynb');
    const runId = await runOnCluster(page, { target: 'kubernetes', parameters: { epochs: '4' } });
    const row = runRow(page, runId);
    await expect(row.locator('.jp-FerryRun-target')).toHaveText('kubernetes');
    await expect(row).toHaveAttribute('data-state', 'succeeded', { timeout: 180_000 });
    await expect(row.locator('.jp-FerryStep[data-state="succeeded"]')).toHaveCount(3);

    // The cluster's own word: one pod per step, each completed, of the Job the panel names, with the form's value.
    const pods = await witness!.pods();
    expect(pods.map((pod) => pod.step).sort()).toEqual(['evaluate', 'prepare', 'train']);
    expect(pods.map((pod) => pod.phase)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    expect(pods.map((pod) => pod.run)).toEqual([runId, runId, runId]);
    for (const pod of pods) await expect(row.locator(`.jp-FerryStep[data-step="${pod.step}"] .jp-FerryStep-job`)).toHaveText(`job ${pod.job}`);
    expect((await witness!.runParameters(runId)).epochs).toBe(4);

    const trainPod = logs.served.find((pod) => pod.step === 'train')!;
    await row.locator('.jp-FerryStep[data-step="train"] .jp-FerryStep-log').click();
    const log = page.locator('.jp-FerryLogWidget').last().locator('.ferry-log-scroller');
    await expect(log).toContainText(`train starts in pod ${trainPod.name}`);
    await expect(log).toContainText(`train done in pod ${trainPod.name}`);
    // The metric records are taken out of the log.
    await expect(log).not.toContainText('##ferry:metric');

    await row.locator('.jp-FerryRun-metrics').click();
    const metrics = page.locator('.jp-FerryMetricsWidget').last();
    await expect(metrics.locator('.ferry-chart-title').filter({ hasText: 'loss' }).first()).toBeVisible();
    await expect(metrics.locator('.ferry-chart canvas').first()).toBeVisible();
    // One point per record the pod's log held.
    const loss = metrics.locator('.ferry-series-summary tbody tr').filter({ has: page.locator('th', { hasText: 'loss' }) });
    await expect(loss.locator('td').last()).toHaveText(String(LOSSES.length));
    await page.screenshot({ path: test.info().outputPath('kubernetes-log-and-metrics.png') });
  } finally {
    logs.stop();
  }
});
