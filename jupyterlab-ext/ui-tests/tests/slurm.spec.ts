/**
 * Run on cluster against the real Slurm of the dev cluster, over SSH
 * (scripts/dev-slurm.sh; scripts/jupyterlab-e2e.sh runs this under the
 * cluster lock). Skipped, saying why, when the cluster is not up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { openExample, openNotebook, runOnCluster, runRow, TICKING } from './helpers.js';

const clusterFile = process.env.FERRY_DEV_CLUSTER ?? '/var/lib/ferry-dev-cluster/cluster.json';
const cluster = existsSync(clusterFile) ? (JSON.parse(readFileSync(clusterFile, 'utf8')) as { sshConfigFile: string; sshHostAlias: string }) : undefined;

test.use({ autoGoto: true });
test.skip(!cluster, `no dev Slurm cluster (${clusterFile}); start one with: sudo bash scripts/dev-slurm.sh up`);

/** A command on the cluster over the ssh CLI: a witness independent of Ferry's own SSH layer. */
function onCluster(command: string): string {
  return execFileSync('ssh', ['-F', cluster!.sshConfigFile, cluster!.sshHostAlias, command], { encoding: 'utf8' }).trim();
}

/** The run's directory on the cluster goes; only ever one under the test user's runs directory. */
async function removeRunDir(page: IJupyterLabPageFixture, runId: string): Promise<void> {
  const response = await page.request.get(`/ferry/api/runs/${encodeURIComponent(runId)}`);
  const runDir = ((await response.json()) as { run: { runDir: string } }).run.runDir;
  if (/^(~|\/home\/[^/]+)\/ferry\/runs\/r-[0-9a-z-]+$/.test(runDir)) onCluster(`rm -rf -- ${runDir.replace(/^~\//, '"$HOME"/')}`);
}

test('Run on cluster on Slurm over SSH: the run succeeds in the side panel and its log shows the step’s lines', async ({ page, tmpPath }) => {
  await openExample(page, tmpPath, 'train_pipeline.ipynb', 'train.ipynb');
  const runId = await runOnCluster(page, { target: 'slurm', parameters: { epochs: '5', n_samples: '200' } });
  try {
    const row = runRow(page, runId);
    await expect(row.locator('.jp-FerryRun-target')).toHaveText('slurm');
    // Slurm job ids, from the cluster, on each step once submitted.
    await expect(row.locator('.jp-FerryStep[data-step="prepare"] .jp-FerryStep-job')).toHaveText(/^job \d+$/, { timeout: 120_000 });
    await expect(row).toHaveAttribute('data-state', 'succeeded', { timeout: 300_000 });
    await row.locator('.jp-FerryStep[data-step="evaluate"] .jp-FerryStep-log').click();
    await expect(page.locator('.jp-FerryLogWidget .ferry-log-scroller').last()).toContainText('test accuracy');
    await row.locator('.jp-FerryStep[data-step="prepare"] .jp-FerryStep-log').click();
    await expect(page.locator('.jp-FerryLogWidget .ferry-log-scroller').last()).toContainText('prepared 160 training and 40 test samples');
  } finally {
    await removeRunDir(page, runId);
  }
});

test('cancel a running run on Slurm: the panel shows it cancelled and the job leaves the queue', async ({ page, tmpPath }) => {
  await openNotebook(page, `${tmpPath}/ticking.ipynb`, TICKING);
  const runId = await runOnCluster(page, { target: 'slurm' });
  try {
    const row = runRow(page, runId);
    const step = row.locator('.jp-FerryStep[data-step="wait"]');
    await expect(step).toHaveAttribute('data-state', 'running', { timeout: 180_000 });
    const jobId = ((await step.locator('.jp-FerryStep-job').textContent()) ?? '').replace(/^job /, '');
    expect(jobId).toMatch(/^\d+$/);
    await row.locator('.jp-FerryRun-cancel').click();
    await expect(row).toHaveAttribute('data-state', 'cancelled', { timeout: 120_000 });
    await expect(step).toHaveAttribute('data-state', 'cancelled');
    // The cluster's own word: squeue no longer lists the job.
    await expect.poll(() => onCluster(`squeue --noheader --jobs=${jobId} --format=%i 2>/dev/null; true`), { timeout: 60_000 }).toBe('');
  } finally {
    await removeRunDir(page, runId);
  }
});
