/**
 * Run on cluster against the real Slurm of the dev cluster, over SSH
 * (scripts/dev-slurm.sh; scripts/jupyterlab-e2e.sh runs this under the
 * cluster lock), and the Compare Runs scenario of local.spec.ts on Slurm's
 * runs. Skipped, saying why, when the cluster is not up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import {
  cancelRuns,
  compareSelectedPoints,
  compareSweepFromOnePoint,
  expectCancelled,
  expectMetricColumnSorts,
  expectOneCurvePerRun,
  expectOnlyDifferingParameters,
  openRunsPanel,
  runIds,
  runsOf,
  runTrainingSweepOfFour,
  startTickerSweep,
  watchSweepCurvesGrow,
} from './compare-steps.js';
import { ferryCliAsync, openExample, openNotebook, runOnCluster, runRow, TICKING } from './helpers.js';

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

/**
 * What is left of the sweep whose points these runs are: its unfinished
 * points cancelled, then its and their directories on the cluster removed.
 */
async function removeSweep(page: IJupyterLabPageFixture, ids: string[]): Promise<void> {
  let sweepDir = '';
  for (const id of ids) {
    const response = await page.request.get(`/ferry/api/runs/${encodeURIComponent(id)}`);
    const run = ((await response.json()) as { run: { runDir: string; sweepId?: string } }).run;
    if (run.sweepId && !sweepDir) {
      // Ferry refuses to cancel a sweep that has ended, as it should: nothing is left to do then.
      await ferryCliAsync(['cancel', run.sweepId]).catch((error: Error) => {
        if (!/has already finished/.test(error.message)) throw error;
      });
      sweepDir = `${run.runDir.replace(/\/runs\/[^/]+$/, '')}/sweeps/${run.sweepId}`;
    }
    await removeRunDir(page, id);
  }
  if (/^(~|\/home\/[^/]+)\/ferry\/sweeps\/s-[0-9a-z-]+$/.test(sweepDir)) onCluster(`rm -rf -- ${sweepDir.replace(/^~\//, '"$HOME"/')}`);
}

/** The Slurm job ids the compare view's table shows for its runs' one step ("tick=12_0": task 0 of array job 12). */
async function comparedJobIds(page: IJupyterLabPageFixture, step: string): Promise<string[]> {
  const cells = await page.locator('.jp-FerryCompareWidget .ferry-compare-table tr[data-run] td[data-column="fact:jobIds"]').allTextContents();
  return cells.map((text) => text.replace(new RegExp(`^${step}=`), ''));
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

test('a sweep of 4 on Slurm compares side by side: differing parameters only, a sortable metric column, one curve per run', async ({ page, tmpPath }) => {
  await openRunsPanel(page);
  let notebook = '';
  try {
    // The sweep's 12 jobs share the dev cluster's 2 CPUs: they queue.
    const points = await runTrainingSweepOfFour(page, tmpPath, 'slurm', { timeout: 420_000, started: (path) => (notebook = path) });
    const view = await compareSelectedPoints(page, points, 'sweep-compare');
    // Slurm's own facts: the target, and each step's job id from sbatch (a sweep's steps run as job arrays: JOB_TASK, one task per run).
    const table = view.locator('.ferry-compare-table');
    await expect(table.locator('tr[data-run] td[data-column="fact:target"]')).toHaveText(['slurm', 'slurm', 'slurm', 'slurm']);
    for (const ids of await table.locator('tr[data-run] td[data-column="fact:jobIds"]').allTextContents()) {
      expect(ids).toMatch(/^prepare=\d+_\d+ train=\d+_\d+ evaluate=\d+_\d+$/);
    }
    await expectOnlyDifferingParameters(view, ['epochs', 'learning_rate'], ['epochs', 'learning_rate', 'n_samples', 'seed']);
    await expectMetricColumnSorts(view, 'loss', 3);
    await expectOneCurvePerRun(view, 'loss', ['epochs=2, learning_rate=0.1', 'epochs=2, learning_rate=0.2', 'epochs=3, learning_rate=0.1', 'epochs=3, learning_rate=0.2']);
    await page.screenshot({ path: test.info().outputPath('slurm-compare.png') });
    await compareSweepFromOnePoint(page, points, view);
  } finally {
    if (notebook) await removeSweep(page, await runIds(runsOf(page, notebook)));
  }
});

test('a running sweep on Slurm: its compare curves grow while watched; cancelled, its jobs leave the queue', async ({ page, tmpPath }) => {
  await openRunsPanel(page);
  // A point a second or so for 25 minutes: far longer than the test watches.
  const { points, ids } = await startTickerSweep(page, tmpPath, 'slurm', 'interval=1,1.5');
  try {
    let jobIds: string[] = [];
    try {
      // Both jobs fit on the cluster's 2 CPUs at once; they may still queue a while behind slurmctld's scheduling.
      await watchSweepCurvesGrow(page, points, ['interval=1', 'interval=1.5'], { timeout: 180_000 });
      jobIds = await comparedJobIds(page, 'tick');
      expect(jobIds).toEqual([expect.stringMatching(/^\d+_\d+$/), expect.stringMatching(/^\d+_\d+$/)]);
    } finally {
      await cancelRuns(ids);
    }
    await expectCancelled(points, { timeout: 120_000 });
    // The cluster's own word: squeue no longer lists the jobs.
    await expect.poll(() => onCluster(`squeue --noheader --jobs=${jobIds.join(',')} --format=%i 2>/dev/null; true`), { timeout: 60_000 }).toBe('');
  } finally {
    await removeSweep(page, ids);
  }
});
