/**
 * Monitoring on the dev Slurm cluster through things going wrong mid-run:
 * the sshd process serving Ferry's connection killed, slurmctld restarted
 * (with and without accounting), and a host key that changed. Each run's
 * step prints numbered lines slowly, and the log Ferry streamed and stored
 * must hold every line exactly once, in order.
 *
 * These disrupt the shared cluster: run them under
 * `flock /tmp/ferry-cluster.lock`; the after-hook leaves it up, with
 * accounting on.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FerryError } from '../../errors.js';
import type { Run, StepState } from '../../run.js';
import type { RunEngine } from '../engine.js';
import { SshConnectionPool } from '../ssh/ssh-pool.js';
import { pipeline, stepOf, testHome, waitFor, waitForFinalRun, type TestHome } from '../testing.js';
import {
  cleanUpRuns, cluster, devSlurm, devSlurmInBackground, followLog, lineNumbers, onCluster, openClusterEngine, ourSshPorts, skipWithoutCluster,
  skipWithoutRoot, slurmTarget, sshdServing,
} from './real-cluster-testing.js';
import { SlurmTarget } from './slurm-target.js';

/** A step printing `count` numbered lines, a quarter of a second apart. */
function numbered(name: string, count: number) {
  return pipeline(name, [{ name: 'count', code: `for i in range(${count}):\n    print(f"line {i}", flush=True)\n    time.sleep(0.25)` }]);
}

describe('monitoring recovers on the dev cluster', { skip: skipWithoutCluster, concurrency: false }, () => {
  let home: TestHome;
  const engines: RunEngine[] = [];
  const runs: Run[] = [];

  before(() => {
    home = testHome();
  });

  after(async () => {
    for (const engine of engines) {
      runs.push(...(await engine.listRuns({ limit: 20 })));
      await engine.close();
    }
    // Whatever happened above, the cluster is left up with accounting on (both idempotent).
    if (!skipWithoutRoot) devSlurm('up');
    cleanUpRuns(runs);
    home.cleanup();
  });

  async function engineOn(name: string): Promise<RunEngine> {
    const engine = await openClusterEngine(home, { [name]: slurmTarget() });
    engines.push(engine);
    return engine;
  }

  function submit(engine: RunEngine, target: string, spec: ReturnType<typeof numbered>): Promise<Run> {
    return engine.submit({ notebookPath: home.notebookPath, spec, target, mode: 'script', parameters: {} });
  }

  /** Every state the store recorded for the step, in order. */
  async function statesOf(engine: RunEngine, runId: string, step: string): Promise<StepState[]> {
    return (await engine.stateChanges(runId)).filter((change) => change.step === step).map((change) => change.state as StepState);
  }

  async function assertWholeLog(engine: RunEngine, run: Run, count: number, streamed: number[]): Promise<void> {
    const expected = Array.from({ length: count }, (_, i) => i);
    assert.deepEqual(streamed, expected, 'the streamed log: every line once, in order');
    const stored = await engine.readLog(run.id, 'count', 0, 1 << 20);
    const lines = stored.data.toString('utf8').split('\n').filter((line) => line.startsWith('line '));
    assert.deepEqual(lines, expected.map((i) => `line ${i}`), 'the log on the cluster, as Ferry reads it');
    assert.equal(stepOf(run, 'count').logOffset, stored.size, 'the stored log offset is the whole log');
  }

  test("the sshd process serving Ferry's connection is killed mid-run: it reconnects, the run completes, no line lost or doubled", { skip: skipWithoutRoot }, async (t) => {
    const engine = await engineOn('slurm');
    const warnings: string[] = [];
    engine.on('warning', (warning) => warnings.push(warning.message));
    const run = await submit(engine, 'slurm', numbered('sshd-killed', 40));
    const follower = followLog(engine, run.id, 'count', { watch: true });
    await waitFor('line 10', () => lineNumbers(follower.arrivals).some((n) => n >= 10), 60_000);

    const [port, ...others] = ourSshPorts();
    assert.ok(port !== undefined && others.length === 0, `one SSH connection to the cluster, found ${String([port, ...others])}`);
    const killed = sshdServing(port);
    assert.ok(killed.length > 0, `an sshd process serving local port ${port}`);
    for (const pid of killed) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // the session's child goes with its parent
      }
    }

    const done = await waitForFinalRun(engine, run.id, 90_000);
    await follower.drain();
    follower.stop();
    assert.equal(done.state, 'succeeded', JSON.stringify(done.steps));
    await assertWholeLog(engine, done, 40, lineNumbers(follower.arrivals));
    const now = ourSshPorts();
    assert.ok(now.length === 1 && now[0] !== port, `a new connection replaced the killed one (ports before ${port}, now ${now.join(', ')})`);
    t.diagnostic(`killed sshd ${killed.join(', ')}; warnings: ${warnings.join(' | ') || 'none'}`);
  });

  for (const accounting of [true, false]) {
    test(`slurmctld restarted mid-run (accounting ${accounting ? 'on' : 'off'}): the step stays running meanwhile, then completes`, { skip: skipWithoutRoot }, async (t) => {
      if (!accounting) await devSlurmInBackground('accounting', 'off');
      try {
        const engine = await engineOn(accounting ? 'with-accounting' : 'without-accounting');
        const target = accounting ? 'with-accounting' : 'without-accounting';
        assert.equal((await engine.testTarget(target)).checks.find((check) => check.name === 'accounting')!.detail.startsWith('off'), !accounting);
        const run = await submit(engine, target, numbered(`ctld-restart-${accounting ? 'acct' : 'noacct'}`, 28));
        const follower = followLog(engine, run.id, 'count', { watch: true });
        await waitFor('line 4', () => lineNumbers(follower.arrivals).some((n) => n >= 4), 60_000);
        const running = stepOf(await engine.getRun(run.id), 'count');
        assert.equal(running.state, 'running');

        // A second target polls the job over and over while the controller restarts: every answer must be "still running".
        const pool = new SshConnectionPool();
        const witness = new SlurmTarget('witness', slurmTarget(), { connect: () => pool.get({ host: cluster!.sshHostAlias, configFile: cluster!.sshConfigFile }) });
        const problems: string[] = [];
        witness.onWarning((message) => problems.push(message));
        const seen: string[] = [];
        let restarting = true;
        const restart = devSlurmInBackground('restart-slurmctld').finally(() => (restarting = false));
        try {
          while (restarting) {
            const [observation] = await witness.poll([{ runId: run.id, runDir: run.runDir, step: 'count', jobId: running.jobId!, state: 'running', logOffset: 0, metricsOffset: 0 }]);
            seen.push(observation!.state);
          }
          await restart;
        } finally {
          await witness.dispose();
          await pool.closeAll();
        }
        assert.ok(seen.length > 0 && seen.every((state) => state === 'running'), `polls during the restart saw: ${seen.join(', ')}`);
        // Slurm's own clients retry while the controller is briefly away, so a poll may simply take longer instead of failing.
        t.diagnostic(`${seen.length} polls during the restart; Slurm did not answer ${problems.length} times${problems[0] ? `: ${problems[0]}` : ''}`);

        const done = await waitForFinalRun(engine, run.id, 90_000);
        await follower.drain();
        follower.stop();
        assert.equal(done.state, 'succeeded', JSON.stringify(done.steps));
        assert.deepEqual(await statesOf(engine, run.id, 'count'), ['queued', 'running', 'succeeded'], 'never failed, never unknown to the store');
        await assertWholeLog(engine, done, 28, lineNumbers(follower.arrivals));
      } finally {
        if (!accounting) await devSlurmInBackground('accounting', 'on');
      }
    });
  }

  test('a changed host key: the target refuses, naming the host and the known_hosts line; nothing is submitted', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ferry-hostkey-'));
    try {
      // The cluster's known_hosts, with the key of [127.0.0.1]:2222 swapped for another one of the same type.
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'other_key')]);
      const otherKey = readFileSync(join(work, 'other_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
      const name = `[${cluster!.host}]:${cluster!.port}`;
      const original = readFileSync(cluster!.knownHostsFile, 'utf8').split('\n').filter(Boolean);
      const line = original.findIndex((entry) => entry.startsWith(`${name} ssh-ed25519 `)) + 1;
      assert.ok(line > 0, `${cluster!.knownHostsFile} has an ed25519 key for ${name}`);
      const knownHostsFile = join(work, 'known_hosts');
      writeFileSync(knownHostsFile, original.map((entry, index) => (index === line - 1 ? `${name} ${otherKey}` : entry)).join('\n') + '\n');
      writeFileSync(join(work, 'ssh_config'), '');

      const engine = await openClusterEngine(home, {
        moved: slurmTarget({ host: cluster!.host, port: cluster!.port, user: cluster!.user, identityFile: cluster!.identityFile, knownHostsFile, sshConfigFile: join(work, 'ssh_config') }),
      });
      engines.push(engine);
      const spec = pipeline('host-key', [{ name: `never_${process.pid}`, code: 'print("never")' }]);
      const error = await engine.submit({ notebookPath: home.notebookPath, spec, target: 'moved', mode: 'script', parameters: {} }).then(
        () => assert.fail('the submit went through'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof FerryError && error.category === 'target', String(error));
      assert.match(error.message, new RegExp(`the host key of ${escape(name)} has CHANGED`));
      assert.match(error.message, new RegExp(`${escape(knownHostsFile)} line ${line}`));
      assert.deepEqual((await engine.listRuns({ limit: 100 })).filter((run) => run.target === 'moved'), [], 'no run recorded');
      const jobNames = onCluster('squeue --noheader --me --states=all --format=%j; true');
      assert.deepEqual(jobNames.filter((job) => job.endsWith(`-never_${process.pid}`)), [], 'no job queued');
      const check = await engine.testTarget('moved');
      assert.match(check.checks.find((c) => c.name === 'connection')!.detail, /has CHANGED/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
