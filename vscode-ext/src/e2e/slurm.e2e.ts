/**
 * The Run-on-cluster scenario against the real Slurm over SSH (the dev
 * cluster scripts/dev-slurm.sh starts): a slurm target in the workbench's
 * FERRY_HOME, picked in the quick pick; the sidebar follows the jobs to
 * "succeeded" and a step's log shows what it printed on the cluster.
 * Run it holding the cluster lock: `flock /tmp/ferry-cluster.lock ...`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FerryClient } from '@ferry/core';
import { openNotebook, openStepLog, runOnCluster, stepRow, waitForLogText, waitForRunState } from './scenario.js';
import { startWorkbench, workbenchUnavailable, type Workbench } from './workbench.js';

interface DevCluster {
  sshHostAlias: string;
  sshConfigFile: string;
  defaultPartition: string;
  account: string;
  python: string;
  setup: string[];
}

const clusterFile = process.env.FERRY_DEV_CLUSTER ?? '/var/lib/ferry-dev-cluster/cluster.json';
const skip = workbenchUnavailable() ?? (existsSync(clusterFile) ? undefined : `no dev Slurm cluster (${clusterFile}); start one with scripts/dev-slurm.sh up`);
const cluster = skip ? undefined : (JSON.parse(readFileSync(clusterFile, 'utf8')) as DevCluster);
let workbench: Workbench;

before(async () => {
  if (!cluster) return;
  workbench = await startWorkbench({
    examples: ['train_pipeline.ipynb'],
    ferryConfig: {
      targets: {
        slurm: {
          type: 'slurm',
          host: cluster.sshHostAlias,
          sshConfigFile: cluster.sshConfigFile,
          workdir: '~/ferry',
          partition: cluster.defaultPartition,
          account: cluster.account,
          python: cluster.python,
          setup: cluster.setup,
        },
      },
    },
  });
});

after(async () => {
  if (!workbench || !cluster) return;
  // The run directories this test made on the cluster go with it.
  try {
    const { url, token } = JSON.parse(readFileSync(join(workbench.ferryHome, 'server.json'), 'utf8')) as { url: string; token: string };
    const runs = await new FerryClient({ baseUrl: url, token }).runs();
    const dirs = runs.map((run) => run.runDir).filter((dir) => /^\/home\/[^/]+\/ferry\/runs\/r-[0-9a-f-]+$/.test(dir));
    if (dirs.length) execFileSync('ssh', ['-F', cluster.sshConfigFile, cluster.sshHostAlias, `rm -rf -- ${dirs.join(' ')}`]);
  } finally {
    await workbench.close();
  }
});

test('Run on cluster on the real Slurm over SSH: the sidebar reaches succeeded and the log shows the job output', { skip }, async () => {
  const { page } = workbench;
  try {
    await openNotebook(page, 'train_pipeline.ipynb');
    await runOnCluster(page, 'slurm', [['epochs', '4'], ['learning_rate', undefined], ['n_samples', undefined], ['seed', undefined]]);
    const row = await waitForRunState(page, 'train_pipeline', 'succeeded', 300_000);
    assert.match(row, /3\/3 steps/);
    assert.match((await stepRow(page, 'train').getAttribute('aria-label')) ?? '', /^train, succeeded/);
    const frame = await openStepLog(page, 'train');
    const text = await waitForLogText(frame, 'epoch 3: loss', 60_000);
    assert.doesNotMatch(text, /epoch 4:/);
  } catch (error) {
    const shot = await workbench.screenshot('slurm-run-on-cluster').catch(() => 'none');
    throw Object.assign(error as Error, { message: `${(error as Error).message}\nscreenshot: ${shot}` });
  }
});
