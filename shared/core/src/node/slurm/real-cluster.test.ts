/**
 * The Slurm target on a REAL Slurm (scripts/dev-slurm.sh: slurmctld, slurmd,
 * slurmdbd behind sshd on 127.0.0.1:2222), through a real RunEngine over SSH
 * as the cluster's test user. Skipped, saying so, where the dev cluster is
 * not up (CI always starts it). About 3 minutes: the time-limit case waits
 * out a 1-minute limit while the other cases run beside it.
 *
 * What the cluster itself says (squeue over the ssh CLI) is checked
 * independently of Ferry's own view.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FerryError } from '../../errors.js';
import type { Run, RunWithSpec } from '../../run.js';
import type { PipelineSpec } from '../../spec.js';
import { compileNotebookFile } from '../compile-file.js';
import type { SlurmTargetConfig } from '../config.js';
import type { RunEngine } from '../engine.js';
import type { CommandRunner } from '../remote/command-runner.js';
import { SshConnectionPool } from '../ssh/ssh-pool.js';
import { newRunId } from '../store/run-id.js';
import { pipeline, stepOf, testHome, waitFor, waitForFinalRun, type TestHome } from '../testing.js';
import { cleanUpRuns, cluster, devSlurm, jobIds, liveJobs, onCluster, openClusterEngine, removeRunDirs, repoRoot, runtimeTimes, skipWithoutCluster as skip, slurmTarget } from './real-cluster-testing.js';
import { SlurmTarget } from './slurm-target.js';

/** finishedAt of `upstream` ≤ startedAt of `downstream`: afterok held. */
/** By the times the runtime wrote on the cluster: the store may hold Slurm's start time, which is whole seconds. */
function assertOrdered(run: Run, upstream: string, downstream: string): void {
  const finished = runtimeTimes(run, upstream).finishedAt;
  const started = runtimeTimes(run, downstream).startedAt;
  assert.ok(started >= finished, `${downstream} started at ${started}, before ${upstream} finished at ${finished}`);
}

describe('the Slurm target on the dev cluster', { skip, concurrency: false }, () => {
  let home: TestHome;
  let engine: RunEngine;
  let trainPipeline: PipelineSpec;

  before(async () => {
    home = testHome();
    trainPipeline = await compileNotebookFile(join(repoRoot, 'examples/train_pipeline.ipynb'));
    engine = await open(home, { slurm: slurmTarget(), refused: slurmTarget({ partition: 'no-such-partition' }) });
  });

  after(async () => {
    const runs = await engine.listRuns({ limit: 100 });
    await engine.close();
    cleanUpRuns(runs); // whatever a failed assertion left queued goes
    home.cleanup();
  });

  function submit(target: string, spec: PipelineSpec, parameters: Record<string, unknown> = {}): Promise<Run> {
    const values = Object.fromEntries(spec.parameters.map((param) => [param.name, param.default]));
    return engine.submit({ notebookPath: home.notebookPath, spec, target, mode: 'script', parameters: { ...values, ...parameters } as Run['parameters'] });
  }

  test('targets test, Ferry on the login node (local: true): the same probe through bash here', { skip: !existsSync('/usr/bin/sinfo') && 'this machine is not a Slurm node' }, async () => {
    const local = await open(home, { here: slurmTarget({ local: true, setup: [], workdir: join(home.dir, 'login-node-workdir') }) });
    try {
      const result = await local.testTarget('here');
      assert.deepEqual(result.checks.filter((check) => check.name === 'slurm' || check.name === 'connection').map((check) => [check.name, check.ok]), [['connection', true], ['slurm', true]]);
      assert.match(result.checks[0]!.detail, /^this machine: home /);
    } finally {
      await local.close();
    }
  });

  test('targets test: the probe sees Slurm, sbatch, squeue, sacct, the partition and the Python', async () => {
    const result = await engine.testTarget('slurm');
    assert.ok(result.ok, JSON.stringify(result.checks, null, 2));
    const detail = Object.fromEntries(result.checks.map((check) => [check.name, check.detail]));
    assert.match(detail.slurm!, /^Slurm 22\.05/);
    assert.match(detail.sbatch!, /slurmctld accepts a job/);
    assert.match(detail.squeue!, /squeue lists your jobs/);
    assert.equal(detail.sacct, cluster!.accounting ? 'sacct reports your finished jobs' : undefined);
    assert.match(detail.python!, /is Python 3\.\d+/);
    assert.match(detail.partition!, new RegExp(`partition ${cluster!.defaultPartition} exists`));
  });

  test('targets test of a target whose partition does not exist: sbatch and partition fail, each with a fix', async () => {
    const result = await engine.testTarget('refused');
    assert.equal(result.ok, false);
    const failed = Object.fromEntries(result.checks.filter((check) => !check.ok).map((check) => [check.name, check]));
    assert.deepEqual(Object.keys(failed).sort(), ['partition', 'sbatch']);
    assert.match(failed.sbatch!.detail, /invalid partition/i);
    assert.match(failed.sbatch!.fix!, /tried partition no-such-partition/);
    assert.match(failed.partition!.detail, /no partition "no-such-partition"/);
  });

  test('train_pipeline: afterok order, parameters, values between steps, metrics, logs', async () => {
    const submitted = await submit('slurm', trainPipeline, { epochs: 5 });
    assert.match(submitted.runDir, /^\/home\/ferrytest\/ferry\/runs\/r-/);
    const run = await waitForFinalRun(engine, submitted.id, 120_000);
    assert.equal(run.state, 'succeeded', JSON.stringify(run.steps, null, 2));
    assert.ok(run.steps.every((step) => /^\d+$/.test(step.jobId ?? '')), 'every step has a Slurm job id');
    assertOrdered(run, 'prepare', 'train');
    assertOrdered(run, 'train', 'evaluate');

    const trainLog = (await engine.readLog(run.id, 'train', 0, 1 << 20)).data.toString('utf8');
    assert.match(trainLog, /epoch 4: loss/);
    assert.doesNotMatch(trainLog, /epoch 5:/, 'the epochs parameter was applied');
    const evaluateLog = (await engine.readLog(run.id, 'evaluate', 0, 1 << 20)).data.toString('utf8');
    assert.match(evaluateLog, /test accuracy 0\.\d{3}/);
    // A byte range from an offset: exactly the bytes there, and the whole size.
    const part = await engine.readLog(run.id, 'train', 10, 25);
    assert.deepEqual([part.offset, part.size, part.data.toString('utf8')], [10, Buffer.byteLength(trainLog), Buffer.from(trainLog).subarray(10, 35).toString('utf8')]);

    const metrics = await engine.getMetrics(run.id);
    const loss = metrics.find((series) => series.stepName === 'train' && series.name === 'loss');
    assert.deepEqual(loss?.points.map((point) => point.step), [0, 1, 2, 3, 4]);
    assert.ok(metrics.some((series) => series.stepName === 'evaluate' && series.name === 'test_accuracy'));
    // The run ends when the runtime reports; each job leaves the queue a moment later (the process exits, the epilog runs).
    await waitFor('the jobs to leave squeue', () => liveJobs(jobIds(run)).length === 0, 30_000);

    // Where the steps ran: nodes of the cluster, as sinfo lists them; the place is the target's partition.
    const clusterNodes = onCluster('sinfo --noheader --Node --format=%N');
    for (const step of run.steps) assert.ok(clusterNodes.includes(step.node ?? ''), `${step.name} ran on ${step.node}, not one of ${clusterNodes.join(', ')}`);
    const facts = engine.comparison().compare([run.id]).runs[0]!.job;
    assert.equal(facts.place, `partition ${cluster!.defaultPartition}`);
    assert.equal(facts.node, [...new Set(run.steps.map((step) => step.node))].join(', '));
    assert.equal(facts.retries, 0, 'no job started over');
  });

  // Started here and checked last: its 1-minute limit passes while the cases below run on the other CPU.
  let timeoutRun: Promise<Run>;
  test('a step over its time limit is submitted (checked at the end)', async () => {
    const spec = pipeline('timeout', [
      { name: 'slow', code: 'print("sleeping", flush=True)\ntime.sleep(90)' },
      { name: 'after_slow', code: 'print("never")', dependsOn: ['slow'] },
    ]);
    spec.steps[0]!.resources = { timeMinutes: 1 };
    const run = await submit('slurm', spec);
    timeoutRun = waitForFinalRun(engine, run.id, 150_000);
  });

  test('cancel while running: one scancel, every job gone from squeue, every step cancelled', async () => {
    const spec = pipeline('cancel', [
      { name: 'long', code: 'for i in range(300):\n    print("tick", i, flush=True)\n    time.sleep(1)' },
      { name: 'later', code: 'print("never")', dependsOn: ['long'] },
    ]);
    const submitted = await submit('slurm', spec);
    await waitFor('the long step to run and log', async () => {
      const run = await engine.getRun(submitted.id);
      return stepOf(run, 'long').state === 'running' && stepOf(run, 'long').logOffset > 0;
    }, 60_000);
    const cancelled = await engine.cancel(submitted.id);
    assert.equal(cancelled.state, 'cancelled');
    assert.deepEqual(cancelled.steps.map((step) => step.state), ['cancelled', 'cancelled']);
    assert.deepEqual(liveJobs(jobIds(cancelled)), [], 'no job of the run left in squeue');
  });

  test('a job requeued while it runs (scontrol requeue) starts over and succeeds: one retry, both starts in the log', async () => {
    const spec = pipeline('requeue', [{ name: 'again', code: 'print("start", flush=True)\ntime.sleep(8)\nprint("done", flush=True)' }]);
    const submitted = await submit('slurm', spec);
    const running = await waitFor('the step to run and log', async () => {
      const run = await engine.getRun(submitted.id);
      return stepOf(run, 'again').state === 'running' && stepOf(run, 'again').logOffset > 0 && run;
    }, 60_000);
    const jobId = stepOf(running, 'again').jobId!;
    // A requeued job waits out a begin time; its owner may move it to now once it is pending again.
    onCluster(
      `scontrol requeue ${jobId} && for i in $(seq 100); do ` +
        `[ "$(squeue -h -j ${jobId} -o %r)" = BeginTime ] && scontrol update jobid=${jobId} StartTime=now && break; sleep 0.2; done`,
    );
    const run = await waitForFinalRun(engine, submitted.id, 120_000);
    assert.equal(run.state, 'succeeded', JSON.stringify(run.steps, null, 2));
    assert.equal(stepOf(run, 'again').retries, 1);
    assert.equal(engine.comparison().compare([run.id]).runs[0]!.job.retries, 1);
    const log = (await engine.readLog(run.id, 'again', 0, 1 << 20)).data.toString('utf8');
    assert.equal(log.match(/^start$/gm)?.length, 2, log);
  });

  test('a step that raises: its traceback in the log, later steps never run (skipped, their jobs gone)', async () => {
    const spec = pipeline('raises', [
      { name: 'boom', code: 'raise ValueError("no good")' },
      { name: 'then', code: 'print("never")', dependsOn: ['boom'] },
      { name: 'last', code: 'print("never")', dependsOn: ['then'] },
    ]);
    const run = await waitForFinalRun(engine, (await submit('slurm', spec)).id, 90_000);
    assert.equal(run.state, 'failed');
    assert.deepEqual([stepOf(run, 'boom').state, stepOf(run, 'boom').exitCode, stepOf(run, 'boom').reason], ['failed', 1, 'ValueError: no good (cell 2)']);
    assert.deepEqual([stepOf(run, 'then').state, stepOf(run, 'then').reason], ['skipped', 'upstream step "boom" failed']);
    assert.deepEqual([stepOf(run, 'last').state, stepOf(run, 'last').reason], ['skipped', 'upstream step "then" was skipped']);
    const log = (await engine.readLog(run.id, 'boom', 0, 1 << 20)).data.toString('utf8');
    assert.match(log, /Traceback[\s\S]*ValueError: no good/);
    assert.equal((await engine.readLog(run.id, 'then', 0, 100)).size, 0, 'the skipped step never ran');
    await waitFor('the skipped jobs to leave squeue', () => liveJobs(jobIds(run)).length === 0, 30_000);
  });

  test("sbatch refuses the run (an invalid partition): it fails at submit with sbatch's message, nothing queued", async () => {
    const run = await waitForFinalRun(engine, (await submit('refused', trainPipeline)).id, 60_000);
    assert.equal(run.state, 'failed');
    for (const step of run.steps) {
      assert.equal(step.state, 'failed');
      assert.match(step.reason!, /sbatch refused step "prepare": sbatch: error: invalid partition specified: no-such-partition/);
      assert.equal(step.jobId, undefined);
    }
  });

  test('sbatch refuses a later step (too many CPUs): the steps submitted before it are cancelled', async () => {
    const spec = pipeline('rollback', [
      { name: 'first', code: 'print("fine")' },
      { name: 'greedy', code: 'print("never")', dependsOn: ['first'] },
    ]);
    spec.steps[1]!.resources = { cpus: 512 };
    const run = await waitForFinalRun(engine, (await submit('slurm', spec)).id, 60_000);
    assert.equal(run.state, 'failed');
    assert.match(stepOf(run, 'greedy').reason!, /sbatch refused step "greedy": sbatch: error: /);
    const states = onCluster(`squeue --noheader --me --states=all --name=ferry-${run.id}-first --format=%T`);
    assert.deepEqual(states, ['CANCELLED'], 'the first step was submitted, then withdrawn');
  });

  test('a submit whose answer is lost: the jobs are found by name, not queued twice', async () => {
    const pool = new SshConnectionPool();
    let dropped = false;
    let runDir: string | undefined;
    const target = new SlurmTarget('lossy', slurmTarget(), {
      connect: () => lossy(pool.get({ host: cluster!.sshHostAlias, configFile: cluster!.sshConfigFile }), (stdin) => {
        if (dropped || !stdin.includes('sbatch --parsable')) return false;
        return (dropped = true);
      }),
    });
    try {
      const spec = pipeline('lossy', [
        { name: 'one', code: 'print(1)' },
        { name: 'two', code: 'print(2)', dependsOn: ['one'] },
      ]);
      const id = newRunId();
      runDir = await target.runDir(id);
      const run: RunWithSpec = {
        id, pipeline: spec.name, notebookPath: home.notebookPath, target: 'lossy', mode: 'script', state: 'queued', parameters: {},
        createdAt: new Date().toISOString(), runDir, spec,
        steps: spec.steps.map((step) => ({ name: step.name, state: 'queued', logOffset: 0, metricsOffset: 0 })),
      };
      await target.stage(run);
      const outcomes = await target.start(run, ['one', 'two']);
      assert.ok(dropped, 'the first submit answer was lost');
      const queued = onCluster(`squeue --noheader --me --states=all --name=ferry-${id}-one,ferry-${id}-two --format='%j %i' | sort`);
      const jobId = (step: string) => (outcomes[step]?.ok ? outcomes[step].jobId : 'none');
      assert.deepEqual(queued, [`ferry-${id}-one ${jobId('one')}`, `ferry-${id}-two ${jobId('two')}`]);
    } finally {
      await target.dispose();
      await pool.closeAll();
      if (runDir) removeRunDirs([runDir]);
    }
  });

  test('the step over its time limit failed with TIMEOUT; its downstream step never ran', async () => {
    const run = await timeoutRun;
    assert.equal(run.state, 'failed');
    assert.deepEqual([stepOf(run, 'slow').state, stepOf(run, 'slow').reason], ['failed', 'TIMEOUT: the step ran past its time limit (1m)']);
    assert.equal(stepOf(run, 'after_slow').state, 'skipped');
  });

  test('without accounting (sacct off, scontrol instead): the basic pipeline runs the same', { skip: process.getuid?.() !== 0 && 'switching accounting needs root' }, async () => {
    devSlurm('accounting', 'off');
    try {
      const fresh = await open(home, { slurm: slurmTarget() }); // a new target probes afresh
      await engine.close();
      engine = fresh;
      const run = await waitForFinalRun(engine, (await submit('slurm', trainPipeline, { epochs: 3 })).id, 120_000);
      assert.equal(run.state, 'succeeded', JSON.stringify(run.steps, null, 2));
      assertOrdered(run, 'prepare', 'train');
      assertOrdered(run, 'train', 'evaluate');
      const checks = await engine.testTarget('slurm');
      assert.match(checks.checks.find((check) => check.name === 'accounting')!.detail, /^off/);
    } finally {
      devSlurm('accounting', 'on');
    }
  });
});

/** A runner whose answer to a chosen exec is lost after the command ran on the cluster (a connection dropping at the worst moment). */
function lossy(runner: CommandRunner, loseAnswer: (stdin: string) => boolean): CommandRunner {
  return {
    description: runner.description,
    async exec(command, options) {
      const result = await runner.exec(command, options);
      if (loseAnswer(String(options?.stdin ?? ''))) throw new FerryError('target', 'the connection dropped (simulated, after the command ran)');
      return result;
    },
    close: () => runner.close(),
  };
}

function open(home: TestHome, targets: Record<string, SlurmTargetConfig>): Promise<RunEngine> {
  return openClusterEngine(home, targets);
}
