/**
 * The server over the dev Slurm cluster (scripts/dev-slurm.sh), as a real
 * server process with a slurm target in its FERRY_HOME config: a restart
 * mid-run reattaches to the running job, and a host key nobody has seen yet
 * becomes a question a client answers over the HTTP API. Skipped, saying so,
 * where the cluster is not up.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinalRunState, type FerryClient, type PromptRequest, type Run } from '@ferry/core';
import { ferryPaths } from '@ferry/core/node';
import { startServer, testHome, waitFor, type ServerProcess, type TestHome } from './testing/harness.js';
import { codeCell, writeNotebook } from './testing/notebooks.js';

const CLUSTER_JSON = process.env.FERRY_DEV_CLUSTER ?? '/var/lib/ferry-dev-cluster/cluster.json';

interface DevCluster {
  host: string;
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  sshHostAlias: string;
  sshConfigFile: string;
  hostKeyFingerprint: string;
  account: string;
  python: string;
  setup: string[];
  defaultPartition: string;
}

const cluster = existsSync(CLUSTER_JSON) ? (JSON.parse(readFileSync(CLUSTER_JSON, 'utf8')) as DevCluster) : undefined;
const skip = cluster ? false : `no dev Slurm cluster (${CLUSTER_JSON} is absent); start one with: sudo bash scripts/dev-slurm.sh up`;

/** A FERRY_HOME whose config has one slurm target, `target`, with these connection settings. */
function clusterHome(target: string, connection: Record<string, unknown>): TestHome {
  const home = testHome();
  const c = cluster!;
  const config = {
    targets: {
      [target]: { type: 'slurm', workdir: '~/ferry', partition: c.defaultPartition, account: c.account, python: c.python, setup: c.setup, ...connection },
    },
  };
  writeFileSync(ferryPaths(home.env).configFile, JSON.stringify(config, null, 2));
  return home;
}

/** A command on the cluster over the ssh CLI (a witness outside Ferry); its stdout lines. */
function onCluster(command: string): string[] {
  const out = execFileSync('ssh', ['-F', cluster!.sshConfigFile, cluster!.sshHostAlias, command], { encoding: 'utf8' });
  return out.split('\n').map((line) => line.trim()).filter(Boolean);
}

/** A notebook of one step that prints `count` numbered lines a quarter of a second apart, logging each number as a metric. */
function countingNotebook(dir: string, count: number): string {
  const cells = [
    codeCell(`lines = ${count}`, ['parameters']),
    codeCell('import time\nfrom ferry import log_metric\nfor i in range(lines):\n    print(f"line {i}", flush=True)\n    log_metric("i", i, step=i)\n    time.sleep(0.25)', ['step:count']),
  ];
  return writeNotebook('counting', cells, dir);
}

/** Follows a step's log until the stream ends (the step ended, or the server went away); returns where it stopped. */
async function follow(client: FerryClient, runId: string, step: string, from: number, into: string[], until?: () => boolean): Promise<{ offset: number; end?: string }> {
  let offset = from;
  let partial = '';
  const abort = new AbortController();
  try {
    for await (const event of client.followLog(runId, step, from, abort.signal)) {
      if (event.type === 'end') return { offset, end: event.state };
      const lines = (partial + event.chunk.data).split('\n');
      partial = lines.pop()!;
      into.push(...lines);
      offset = event.chunk.nextOffset - Buffer.byteLength(partial);
      if (until?.()) break;
    }
  } catch {
    // The server stopped under the stream.
  } finally {
    abort.abort();
  }
  return { offset };
}

const lineNumbers = (lines: readonly string[]) => lines.flatMap((line) => (/^line \d+$/.test(line) ? [Number(line.slice(5))] : []));

describe('the server on the dev Slurm cluster', { skip, concurrency: false }, () => {
  const leftovers: Run[] = [];
  after(() => {
    const jobs = leftovers.flatMap((run) => run.steps.map((step) => step.jobId)).filter((id): id is string => id !== undefined);
    if (jobs.length > 0) onCluster(`scancel ${jobs.join(' ')}; true`);
    const dirs = leftovers.map((run) => run.runDir).filter((dir) => /^\/home\/[^/]+\/ferry\/runs\/r-[0-9a-f-]+$/.test(dir));
    if (dirs.length > 0) onCluster(`rm -rf -- ${dirs.join(' ')}`);
  });

  test('a server restarted mid-run reattaches to the job: the run completes, its log and metrics whole', async () => {
    const home = clusterHome('cluster', { host: cluster!.sshHostAlias, sshConfigFile: cluster!.sshConfigFile });
    let second: ServerProcess | undefined;
    try {
      const first = await startServer(home);
      const submitted = await first.client.submit({ notebookPath: countingNotebook(home.dir, 40), target: 'cluster' });
      leftovers.push(submitted);
      const lines: string[] = [];
      const before = await follow(first.client, submitted.id, 'count', 0, lines, () => lineNumbers(lines).some((n) => n >= 8));
      const jobId = (await first.client.run(submitted.id)).steps[0]!.jobId;
      assert.match(jobId ?? '', /^\d+$/);
      await first.stop();

      second = await startServer(home);
      const rest = await follow(second.client, submitted.id, 'count', before.offset, lines);
      assert.equal(rest.end, 'succeeded');
      const run = await waitFor('the run to be final', async () => {
        const current = await second!.client.run(submitted.id);
        return isFinalRunState(current.state) ? current : undefined;
      });
      assert.equal(run.state, 'succeeded', JSON.stringify(run.steps));
      assert.equal(run.steps[0]!.jobId, jobId, 'the same job, not a second submit');
      assert.deepEqual(onCluster(`squeue --noheader --me --states=all --name=ferry-${submitted.id}-count --format=%i`), [jobId], 'one job on the cluster');

      const expected = Array.from({ length: 40 }, (_, i) => i);
      assert.deepEqual(lineNumbers(lines), expected, 'streamed across the restart: every line once, in order');
      assert.deepEqual(lineNumbers((await second.client.log(run.id, 'count')).data.split('\n')), expected);
      const { series } = await second.client.metrics(run.id);
      assert.deepEqual(series.find((s) => s.stepName === 'count' && s.name === 'i')?.points.map((point) => point.step), expected);
    } finally {
      await second?.stop();
      home.cleanup();
    }
  });

  test("an unknown host key is asked about over the API: rejected, the check fails saying so; accepted, the key is stored and it proceeds", async () => {
    const c = cluster!;
    const work = testHome();
    const knownHostsFile = join(work.dir, 'known_hosts'); // not there yet: nothing known
    // An empty ssh_config, so the machine's own ~/.ssh/config plays no part.
    writeFileSync(join(work.dir, 'ssh_config'), '');
    const home = clusterHome('fresh', { host: c.host, port: c.port, user: c.user, identityFile: c.identityFile, knownHostsFile, sshConfigFile: join(work.dir, 'ssh_config') });
    const server = await startServer(home);
    const abort = new AbortController();
    const prompts: PromptRequest[] = [];
    const listening = (async () => {
      try {
        for await (const event of server.client.promptEvents(abort.signal)) if (event.type === 'prompt') prompts.push(event.prompt);
      } catch {
        // closed at the end of the test
      }
    })();
    const answerNext = async (accept: boolean): Promise<PromptRequest> => {
      const prompt = await waitFor('a host key question', () => prompts.shift(), 30_000);
      await server.client.answerPrompt(prompt.id, { accept });
      return prompt;
    };
    try {
      const [rejected, refused] = await Promise.all([answerNext(false), server.client.testTarget('fresh')]);
      assert.deepEqual(
        rejected.kind === 'unknown-host-key' && [rejected.target, rejected.host, rejected.port, rejected.fingerprint],
        ['fresh', c.host, c.port, c.hostKeyFingerprint],
      );
      assert.equal(refused.ok, false);
      assert.match(refused.checks.find((check) => check.name === 'connection')!.detail, new RegExp(`host key of \\[${c.host.replace(/\./g, '\\.')}\\]:${c.port} .* was not accepted; Ferry did not connect`));
      assert.equal(existsSync(knownHostsFile), false, 'nothing remembered');

      await sleep(1_100); // the connection's retry pause after a failed attempt (at most 1 s after the first)
      const [, accepted] = await Promise.all([answerNext(true), server.client.testTarget('fresh')]);
      assert.ok(accepted.ok, JSON.stringify(accepted.checks, null, 2));
      const keyOf = (file: string) => readFileSync(file, 'utf8').split('\n').find((line) => line.startsWith(`[${c.host}]:${c.port} ssh-ed25519 `))?.split(' ')[2];
      assert.ok(keyOf(knownHostsFile), `${knownHostsFile} holds the key`);
      assert.equal(keyOf(knownHostsFile), keyOf(c.knownHostsFile), 'the key the cluster really has');
    } finally {
      abort.abort();
      await listening;
      await server.stop();
      home.cleanup();
      work.cleanup();
    }
  });
});
