/**
 * The Run-on-cluster scenario against the real Slurm over SSH (the dev
 * cluster scripts/dev-slurm.sh starts): a slurm target in the workbench's
 * FERRY_HOME, picked in the quick pick, whose known_hosts does not have the
 * cluster's key yet: the workbench asks whether to trust it (the server
 * relays the SSH question), and once accepted the sidebar follows the jobs
 * to "succeeded" and a step's log shows what it printed on the cluster.
 * Then a sweep run there from the CLI is compared: the job facts are Slurm's.
 * Run it holding the cluster lock: `flock /tmp/ferry-cluster.lock ...`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FerryClient } from '@ferry/core';
import { bodyColumnValues, chartLegend, compareColumns, compareSelectedPoints, runSweepFromCli } from './compare-scenario.js';
import { openNotebook, openStepLog, runOnCluster, stepRow, waitForLogText, waitForRunState } from './scenario.js';
import { startWorkbench, waitFor, workbenchUnavailable, type Workbench } from './workbench.js';

interface DevCluster {
  host: string;
  port: number;
  user: string;
  identityFile: string;
  hostKeyFingerprint: string;
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
/** An ssh config for the dev cluster with an empty known_hosts, so the first connection asks about the host key. */
let sshDir: string | undefined;

before(async () => {
  if (!cluster) return;
  sshDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-ssh-'));
  writeFileSync(join(sshDir, 'known_hosts'), '');
  writeFileSync(
    join(sshDir, 'config'),
    [
      `Host ${cluster.sshHostAlias}`,
      `  HostName ${cluster.host}`,
      `  Port ${cluster.port}`,
      `  User ${cluster.user}`,
      `  IdentityFile ${cluster.identityFile}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${join(sshDir, 'known_hosts')}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking ask',
      '',
    ].join('\n'),
  );
  workbench = await startWorkbench({
    examples: ['train_pipeline.ipynb'],
    ferryConfig: {
      targets: {
        slurm: {
          type: 'slurm',
          host: cluster.sshHostAlias,
          sshConfigFile: join(sshDir, 'config'),
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
    if (sshDir) rmSync(sshDir, { recursive: true, force: true });
  }
});

test('Run on cluster on the real Slurm over SSH: the host key question, then the sidebar reaches succeeded and the log shows the job output', { skip }, async () => {
  const { page } = workbench;
  try {
    await openNotebook(page, 'train_pipeline.ipynb');
    await runOnCluster(page, 'slurm', { epochs: '4' });
    // Staging connects to the cluster for the first time: the workbench asks about its host key.
    const question = page.locator('.quick-input-widget .quick-input-title', { hasText: /unknown host key/ });
    await question.waitFor({ timeout: 60_000 });
    const shown = await page.locator('.quick-input-widget .quick-input-list').textContent();
    assert.ok(shown?.includes(cluster!.hostKeyFingerprint), `the question shows the fingerprint ${cluster!.hostKeyFingerprint}: ${shown}`);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Trust this host key' }).click();
    await waitFor('the key in known_hosts', 30_000, async () => (readFileSync(join(sshDir!, 'known_hosts'), 'utf8').trim() ? true : undefined));
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

test('a sweep on the real Slurm compares in the workbench: the swept parameter, Slurm job ids, one curve per run', { skip }, async () => {
  const { page, folder, ferryHome } = workbench;
  try {
    // The host key was trusted by the test above; the CLI goes through the same server.
    await runSweepFromCli(ferryHome, join(folder, 'train_pipeline.ipynb'), 'slurm', ['learning_rate=0.1,0.2'], ['epochs=2']);
    await waitForRunState(page, 'train_pipeline sweep', 'succeeded', 60_000);
    const frame = await compareSelectedPoints(page, 'learning_rate', 2);
    assert.deepEqual((await compareColumns(frame)).filter((column) => column.startsWith('parameter:')), ['parameter:learning_rate']);
    const target = await frame.locator('.ferry-compare-table tr[data-run] td[data-column="fact:target"]').allTextContents();
    assert.deepEqual(target, ['slurm', 'slurm']);
    // Each step's backend job id is what sbatch gave it (a sweep runs as job arrays: JOB_INDEX).
    const jobIds = await frame.locator('.ferry-compare-table tr[data-run] td[data-column="fact:jobIds"]').allTextContents();
    for (const ids of jobIds) assert.match(ids, /^(?:[a-z_]+=\d+(?:_\d+)? ){2}[a-z_]+=\d+(?:_\d+)?$/);
    assert.equal((await bodyColumnValues(frame, 'metric:loss')).length, 1, 'one run under the pinned base run');
    const legend = await waitFor('two curves of loss', 30_000, async () => {
      const labels = await chartLegend(frame, 'loss');
      return labels.length === 2 ? labels : undefined;
    });
    assert.deepEqual([...legend].sort(), ['learning_rate=0.1', 'learning_rate=0.2']);
  } catch (error) {
    const shot = await workbench.screenshot('slurm-compare').catch(() => 'none');
    throw Object.assign(error as Error, { message: `${(error as Error).message}\nscreenshot: ${shot}` });
  }
});
