/**
 * Sweeps on a REAL Slurm (scripts/dev-slurm.sh), through a real RunEngine
 * over SSH: a sweep's points are staged in one transfer and submitted in one
 * exec as ONE job array per step, chained with `aftercorr` (task i of a step
 * waits for task i of its upstream step only) and --kill-on-invalid-dep;
 * every array task maps back to its point's run. What the cluster itself
 * says (squeue, sacct, scontrol over the ssh CLI) is checked independently
 * of Ferry's own view. About a minute.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Run } from '../../run.js';
import { planSweep } from '../../sweeps/expand-sweep.js';
import type { PipelineSpec } from '../../spec.js';
import type { RunEngine, SweepWithRuns } from '../engine.js';
import { SshConnectionPool } from '../ssh/ssh-pool.js';
import { newRunId, newSweepId } from '../store/run-id.js';
import { pipeline, stepOf, testHome, waitFor, waitForFinalRun, type TestHome } from '../testing.js';
import { cleanUpRuns, cluster, devSlurm, jobIds, onCluster, openClusterEngine, runtimeTimes, skipWithoutCluster, skipWithoutRoot, slurmTarget } from './real-cluster-testing.js';
import { SlurmTarget } from './slurm-target.js';
import type { CommandRunner } from '../remote/command-runner.js';

/**
 * Two steps; `first` sleeps `wait` seconds, so with one point at a time the
 * last point's first step ends long after the first point's could have let
 * its second step start: it does only with aftercorr, never with afterok on
 * the whole array.
 */
const twoSteps = pipeline(
  'sweep',
  [
    { name: 'first', code: 'print(f"first lr={lr} wait={wait}", flush=True)\ntime.sleep(wait)\nscaled = lr * 10', outputs: ['scaled'] },
    {
      name: 'second',
      code: 'print(f"second lr={lr} scaled={scaled:g}", flush=True)\nferry.log_metric("score", scaled + wait)',
      dependsOn: ['first'],
      inputs: [{ name: 'scaled', from: 'first' }],
    },
  ],
  { lr: 0.5, wait: 0 },
);

/** `123_4` → ['123', 4]. */
function task(jobId: string | undefined): [string, number] {
  const match = /^(\d+)_(\d+)$/.exec(jobId ?? '');
  assert.ok(match, `${jobId} is an array task id`);
  return [match[1]!, Number(match[2])];
}

/** The one array job id every point's `step` is a task of. */
function arrayOf(runs: readonly Run[], step: string): string {
  const arrays = new Set(runs.map((run) => task(stepOf(run, step).jobId)[0]));
  assert.equal(arrays.size, 1, `one job array for step ${step}, got ${[...arrays].join(', ')}`);
  return [...arrays][0]!;
}

describe('sweeps as job arrays on the dev cluster', { skip: skipWithoutCluster, concurrency: false }, () => {
  let home: TestHome;
  let engine: RunEngine;
  const sweeps: string[] = [];

  before(async () => {
    home = testHome();
    engine = await openClusterEngine(home, { slurm: slurmTarget(), refused: slurmTarget({ partition: 'no-such-partition' }) });
  });

  after(async () => {
    const runs = await engine.listRuns({ limit: 100 });
    await engine.close();
    cleanUpRuns(runs);
    removeSweepDirs(sweeps);
    home.cleanup();
  });

  async function sweep(target: string, spec: PipelineSpec, axisStrings: string[], maxParallel?: number): Promise<SweepWithRuns> {
    const { definition, points } = planSweep(spec, { axisStrings, fromStrings: true, ...(maxParallel !== undefined && { maxParallel }) });
    const submitted = await engine.submitSweep({ notebookPath: home.notebookPath, spec, target, mode: 'script', definition, points });
    sweeps.push(submitted.sweep.id);
    return submitted;
  }

  function finished(runs: readonly Run[], timeoutMs = 120_000): Promise<Run[]> {
    return Promise.all(runs.map((run) => waitForFinalRun(engine, run.id, timeoutMs)));
  }

  test('4 points: one job array per step chained with aftercorr, each point its own run with its own parameters', async () => {
    const { sweep: created, runs: submitted } = await sweep('slurm', twoSteps, ['wait=1,8', 'lr=0.1,0.2'], 1);
    // Every point has its array tasks as soon as the monitor submitted the sweep.
    const queued = await waitFor('the sweep to be submitted', async () => {
      const runs = await Promise.all(submitted.map((run) => engine.getRun(run.id)));
      return runs.every((run) => run.steps.every((step) => step.jobId !== undefined)) ? runs : undefined;
    }, 60_000);
    const [first, second] = [arrayOf(queued, 'first'), arrayOf(queued, 'second')];
    assert.notEqual(first, second);
    for (const run of queued) assert.deepEqual(run.steps.map((step) => task(step.jobId)[1]), [run.sweepIndex, run.sweepIndex], 'task i is point i');

    // The cluster's word while it waits: the second array depends on the first task by task, and is dropped on a failed dependency.
    const waiting = onCluster(`squeue --noheader --array --states=PENDING --jobs=${second} --format='%i|%E'`).filter((line) => !line.endsWith('|(null)'));
    assert.ok(waiting.length > 0, 'some task of the second array still waits on its dependency');
    for (const line of waiting) assert.match(line, new RegExp(`^${second}_\\d\\|aftercorr:${first}_\\*\\(unfulfilled\\)$`));
    assert.match(onCluster(`scontrol -o show job ${second}`).join('\n'), /KillOInInvalidDependent=Yes/);

    const runs = await finished(submitted);
    assert.deepEqual(runs.map((run) => run.state), ['succeeded', 'succeeded', 'succeeded', 'succeeded'], JSON.stringify(runs.map((run) => run.steps), null, 2));
    for (const run of runs) {
      const { lr, wait } = run.parameters as { lr: number; wait: number };
      const log = async (step: string) => (await engine.readLog(run.id, step, 0, 1 << 20)).data.toString('utf8');
      assert.equal(await log('first'), `first lr=${lr} wait=${wait}\n`);
      assert.equal(await log('second'), `second lr=${lr} scaled=${lr * 10}\n`);
      const score = (await engine.getMetrics(run.id)).find((series) => series.name === 'score');
      assert.deepEqual(score?.points.map((point) => point.value), [lr * 10 + wait]);
    }
    // The order aftercorr promises, by the times the runtime itself wrote on the cluster (Slurm's are whole seconds):
    // within a point, second after first; across points, nothing: point 0's second step ended before point 3's
    // first step (8 s, one point at a time) did. With afterok on the whole array it would have waited for it.
    const times = runs.map((run) => ({ first: runtimeTimes(run, 'first'), second: runtimeTimes(run, 'second') }));
    times.forEach(({ first: before, second: then }, index) => assert.ok(then.startedAt >= before.finishedAt, `point ${index}: second started at ${then.startedAt}, before first ended at ${before.finishedAt}`));
    assert.ok(times[0]!.second.finishedAt < times[3]!.first.finishedAt, 'point 0 did not wait for the whole first array');

    // The accounting database: exactly two jobs, arrays of four tasks each, named after the sweep, all completed.
    const accounted = onCluster(`sacct -X --parsable2 --noheader --jobs=${first},${second} --format=JobID,JobName,State`).sort();
    assert.deepEqual(accounted, [
      ...[0, 1, 2, 3].map((i) => `${first}_${i}|ferry-${created.id}-first|COMPLETED`),
      ...[0, 1, 2, 3].map((i) => `${second}_${i}|ferry-${created.id}-second|COMPLETED`),
    ].sort());
    const named = onCluster(`sacct -X --parsable2 --noheader --name=ferry-${created.id}-first,ferry-${created.id}-second --starttime=now-1hour --format=JobIDRaw,JobID`);
    assert.deepEqual(new Set(named.map((line) => line.split('|')[1]!.split('_')[0])), new Set([first, second]), 'no other job was submitted for the sweep');
    // Each point's run directory is linked from the sweep directory by its index.
    assert.deepEqual(onCluster(`cd ~/ferry/sweeps/${created.id}/points && for i in 0 1 2 3; do readlink -f $i; done`), runs.map((run) => run.runDir));
  });

  test("a point whose first step fails: Slurm drops its second task (Ferry skips it), the other point's goes on", async () => {
    const failing = pipeline('failing', [
      { name: 'first', code: 'if wait == 2:\n    raise ValueError("bad point")\nscaled = wait', outputs: ['scaled'] },
      { name: 'second', code: 'print("second", scaled)', dependsOn: ['first'], inputs: [{ name: 'scaled', from: 'first' }] },
    ], { wait: 0 });
    const { runs: submitted } = await sweep('slurm', failing, ['wait=1,2']);
    const [good, bad] = await finished(submitted, 90_000);
    assert.deepEqual([good!.state, bad!.state], ['succeeded', 'failed']);
    assert.deepEqual([stepOf(bad!, 'first').state, stepOf(bad!, 'first').reason], ['failed', 'ValueError: bad point (cell 2)']);
    assert.deepEqual([stepOf(bad!, 'second').state, stepOf(bad!, 'second').reason], ['skipped', 'upstream step "first" failed']);
    const secondTask = stepOf(bad!, 'second').jobId!;
    await waitFor('the dependent task to be cancelled', () => {
      const [state] = onCluster(`squeue --noheader --array --states=all --jobs=${secondTask} --format=%T`);
      return state === 'CANCELLED' ? state : undefined;
    }, 30_000);
    assert.match((await engine.readLog(good!.id, 'second', 0, 1000)).data.toString('utf8'), /^second 1\n$/);
  });

  test('cancel one point: its tasks leave the queue, the others stay; cancel the sweep: every task goes', async () => {
    const long = pipeline('long', [{ name: 'nap', code: 'time.sleep(300)' }, { name: 'after', code: 'print("never")', dependsOn: ['nap'] }], { n: 0 });
    const { sweep: created, runs: submitted } = await sweep('slurm', long, ['n=1,2,3'], 2);
    await waitFor('two points to run', async () => {
      const runs = await Promise.all(submitted.map((run) => engine.getRun(run.id)));
      return runs.filter((run) => stepOf(run, 'nap').state === 'running').length === 2;
    }, 60_000);
    const all = (await Promise.all(submitted.map((run) => engine.getRun(run.id)))).flatMap(jobIds).filter((id): id is string => id !== undefined);
    const live = () => onCluster(`squeue --noheader --array --jobs=${all.join(',')} --format=%i 2>/dev/null; true`).sort();

    const cancelled = await engine.cancel(submitted[0]!.id);
    assert.deepEqual(cancelled.steps.map((step) => step.state), ['cancelled', 'cancelled']);
    assert.deepEqual(live(), all.filter((id) => !jobIds(cancelled).includes(id)).sort(), "only point 0's tasks left the queue");

    const rest = await engine.cancelSweep(created.id);
    assert.deepEqual(rest.runs.map((run) => run.state), ['cancelled', 'cancelled', 'cancelled']);
    assert.deepEqual(live(), [], 'no task of the sweep left in squeue');
  });

  test("sbatch refuses the first array (an invalid partition): every point fails with sbatch's message, nothing queued", async () => {
    const { runs: submitted } = await sweep('refused', twoSteps, ['lr=0.1,0.2']);
    const runs = await finished(submitted, 60_000);
    for (const run of runs) {
      assert.equal(run.state, 'failed');
      for (const step of run.steps) {
        assert.match(step.reason!, /sbatch refused the job array of step "first": sbatch: error: invalid partition specified: no-such-partition/);
        assert.equal(step.jobId, undefined);
      }
    }
  });

  test("sbatch refuses a later step's array (too many CPUs): the arrays submitted before it are cancelled", async () => {
    const greedy = structuredClone(twoSteps);
    greedy.steps[1]!.resources = { cpus: 512 };
    const { sweep: created, runs: submitted } = await sweep('slurm', greedy, ['lr=0.1,0.2']);
    const runs = await finished(submitted, 60_000);
    assert.ok(runs.every((run) => run.state === 'failed'));
    assert.match(stepOf(runs[0]!, 'second').reason!, /sbatch refused the job array of step "second": sbatch: error: /);
    const states = onCluster(`squeue --noheader --array --me --states=all --name=ferry-${created.id}-first --format=%T`);
    assert.deepEqual(states, ['CANCELLED', 'CANCELLED'], 'the first array was submitted, then withdrawn');
  });

  test('without accounting (scontrol asked by array id instead of sacct): a sweep runs the same', { skip: skipWithoutRoot }, async () => {
    devSlurm('accounting', 'off');
    try {
      const fresh = await openClusterEngine(home, { slurm: slurmTarget() }); // a new target probes afresh
      await engine.close();
      engine = fresh;
      const { runs: submitted } = await sweep('slurm', twoSteps, ['lr=0.1,0.2', 'wait=1'], 1);
      const runs = await finished(submitted, 90_000);
      assert.deepEqual(runs.map((run) => run.state), ['succeeded', 'succeeded'], JSON.stringify(runs.map((run) => run.steps), null, 2));
      assert.notEqual(arrayOf(runs, 'first'), arrayOf(runs, 'second'), 'one array per step, each known to Ferry through scontrol');
      assert.match((await engine.readLog(runs[1]!.id, 'second', 0, 1000)).data.toString('utf8'), /^second lr=0\.2 scaled=2\n$/);
    } finally {
      devSlurm('accounting', 'on');
    }
  });

  test('one transfer and one submit exec for the whole sweep; a lost submit answer: the arrays are found by name, not queued twice', async () => {
    const pool = new SshConnectionPool();
    const execs: string[] = [];
    let dropped = false;
    const target = new SlurmTarget('counted', slurmTarget(), {
      connect: () => counted(pool.get({ host: cluster!.sshHostAlias, configFile: cluster!.sshConfigFile }), execs, (stdin) => {
        if (dropped || !stdin.includes('sbatch --parsable')) return false;
        return (dropped = true);
      }),
    });
    const id = newSweepId();
    sweeps.push(id);
    const points: Run[] = [];
    try {
      const { definition, points: values } = planSweep(twoSteps, { axisStrings: ['lr=0.1,0.2,0.3'], fromStrings: true });
      const sweepRecord = { id, pipeline: twoSteps.name, notebookPath: home.notebookPath, target: 'counted', mode: 'script' as const, createdAt: new Date().toISOString(), size: 3, ...definition };
      const drafts = await Promise.all(values.map(async (parameters, index) => {
        const runId = newRunId();
        return {
          id: runId, pipeline: twoSteps.name, notebookPath: home.notebookPath, target: 'counted', mode: 'script' as const, state: 'queued' as const, parameters,
          createdAt: sweepRecord.createdAt, runDir: await target.runDir(runId), sweepId: id, sweepIndex: index, spec: twoSteps,
          steps: twoSteps.steps.map((step) => ({ name: step.name, state: 'queued' as const, logOffset: 0, metricsOffset: 0 })),
        };
      }));
      points.push(...drafts);
      execs.length = 0; // the probe's exec is not the sweep's
      await target.stageSweep(sweepRecord, drafts);
      assert.deepEqual(execs.map(kind), ['tar'], 'every point staged in one transfer');
      const outcomes = await target.startSweep(sweepRecord, drafts);
      assert.ok(dropped, 'the submit answer was lost once');
      // The submit script looks the arrays up by name before it submits: its retry found them and submitted nothing.
      assert.deepEqual(execs.map(kind), ['tar', 'submit', 'submit'], 'one exec submitted every array; the retry found them by name');
      const jobId = (runId: string, step: string) => {
        const outcome = outcomes[runId]?.[step];
        return outcome?.ok ? outcome.jobId : 'none';
      };
      const queued = onCluster(`squeue --noheader --me --states=all --name=ferry-${id}-first,ferry-${id}-second --format='%F' | sort -u`);
      assert.equal(queued.length, 2, `one array per step, submitted once: ${queued.join(' ')}`);
      assert.deepEqual(drafts.map((draft) => jobId(draft.id, 'first')), [0, 1, 2].map((i) => `${task(jobId(drafts[0]!.id, 'first'))[0]}_${i}`));
      await target.cancelRuns(drafts.map((draft) => ({ run: { ...draft, steps: draft.steps.map((step) => ({ ...step, jobId: jobId(draft.id, step.name) })) }, steps: ['first', 'second'] })));
    } finally {
      await target.dispose();
      await pool.closeAll();
      cleanUpRuns(points);
    }
  });
});

/** A runner that records what each exec was (`tar`, `submit`, `find`, ...) and loses the answer to a chosen one after it ran. */
function counted(runner: CommandRunner, execs: string[], loseAnswer: (stdin: string) => boolean): CommandRunner {
  return {
    description: runner.description,
    async exec(command, options) {
      const stdin = String(options?.stdin ?? '');
      execs.push(command.includes('tar -xmf') ? 'tar' : stdin);
      const result = await runner.exec(command, options);
      if (loseAnswer(stdin)) throw new Error('the connection dropped (simulated, after the command ran)');
      return result;
    },
    close: () => runner.close(),
  };
}

function kind(exec: string): string {
  if (exec === 'tar') return 'tar';
  if (exec.includes('sbatch --parsable')) return 'submit';
  return exec.split('\n')[0]!;
}

/** The test sweeps' directories on the cluster (only under the test user's sweeps directory). */
function removeSweepDirs(ids: readonly string[]): void {
  const ours = ids.filter((id) => /^s-\d{8}-\d{6}-[0-9a-f]{6}$/.test(id));
  if (ours.length > 0) onCluster(`cd ~/ferry/sweeps && rm -rf -- ${ours.join(' ')}`);
}
