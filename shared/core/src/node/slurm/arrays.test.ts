/**
 * Job arrays (a sweep's points) on REAL outputs of Slurm 22.05.8: a 4-point
 * sweep submitted as Ferry submits it (one array per step, at most 2 points
 * at once, the second step chained with aftercorr), captured by
 * `FERRY_CAPTURE_ONLY=arrays bash scripts/slurm/capture.sh` into
 * shared/core/golden/slurm/captured/sweep-*. Every array task maps back to
 * its point, whichever form Slurm prints it in: `707_2`, or `707_[2-3]` /
 * `707_[2-3%2]` for pending tasks sharing a line.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { LocalCommandRunner } from '../remote/local-runner.js';
import type { ActiveStep } from '../targets/target.js';
import { parseNamedJobs } from './find-jobs-script.js';
import { observeStep, type JobKnowledge } from './job-observation.js';
import { parsePollRecords } from './poll-result.js';
import { pollScript } from './poll-script.js';
import { newNonce, runScript, type ScriptRecord } from './remote-script.js';
import { parseSacct } from './sacct-parsable.js';
import { parseScontrolJobs } from './scontrol-job.js';
import { arrayJobId, arrayTaskIds, newestRecords } from './slurm-job.js';
import { parseSqueue } from './squeue-text.js';
import { arraySpec } from './step-job.js';

const captured = fileURLToPath(new URL('../../../golden/slurm/captured/', import.meta.url));
const read = (name: string) => readFileSync(join(captured, name), 'utf8');
const stdout = (name: string) => read(`${name}.txt`);
const { first, second } = JSON.parse(read('sweep-jobs.json')) as { first: string; second: string };
const tasks = (array: string) => [0, 1, 2, 3].map((index) => `${array}_${index}`);
const allTasks = [...tasks(first), ...tasks(second)];

/** A `cmd` record as ferry_capture writes it. */
function cmd(name: string, out: string, status = 0, err = ''): ScriptRecord {
  return { kind: 'cmd', fields: [name, String(status), Buffer.from(out).toString('base64'), Buffer.from(err).toString('base64')] };
}

function states(jobs: Map<string, { state: string; reason?: string }>, ids: readonly string[]) {
  return ids.map((id) => [id, jobs.get(id)?.state, jobs.get(id)?.reason]);
}

describe('array task ids', () => {
  test('a line of several tasks names each of them', () => {
    assert.deepEqual(arrayTaskIds('707_[2-3]'), ['707_2', '707_3']);
    assert.deepEqual(arrayTaskIds('74_[0-1,3%1]'), ['74_0', '74_1', '74_3']);
    assert.deepEqual(arrayTaskIds('9_[0-9:4]'), ['9_0', '9_4', '9_8']);
    assert.deepEqual(arrayTaskIds('707_2'), ['707_2']);
    assert.deepEqual(arrayTaskIds('57'), ['57']);
    assert.deepEqual(arrayTaskIds('9_[a-b]'), ['9_[a-b]'], 'a form it does not know stays as it is');
    assert.equal(arrayJobId('707_[2-3%2]'), '707');
  });

  test("sbatch's --array list: ranges, single indices, the %M limit only when it limits", () => {
    assert.equal(arraySpec([0, 1, 2, 3], 2), '0-3%2');
    assert.equal(arraySpec([3, 0, 2], undefined), '0,2-3');
    assert.equal(arraySpec([0, 1, 2, 3], 4), '0-3');
    assert.equal(arraySpec([5], 1), '5');
    assert.throws(() => arraySpec([], 1), /not a list of array indices/);
    assert.throws(() => arraySpec([-1], 1), /not a list of array indices/);
  });
});

describe('a sweep as job arrays, as Slurm shows it', () => {
  test('squeue by task ids: pending tasks share a line without --array, get one each with it; the same per task', () => {
    const plain = parseSqueue(stdout('sweep-squeue-tasks-pending'));
    assert.ok(plain.some((job) => job.jobId === `${first}_[2-3]`), 'the captured squeue printed the shared line');
    const expanded = parseSqueue(stdout('sweep-squeue-tasks-pending-array'));
    assert.ok(expanded.every((job) => /^\d+_\d+$/.test(job.jobId)), 'with --array every line is one task');
    const expected = [
      [`${first}_0`, 'RUNNING', undefined],
      [`${first}_1`, 'RUNNING', undefined],
      [`${first}_2`, 'PENDING', 'JobArrayTaskLimit'],
      [`${first}_3`, 'PENDING', 'JobArrayTaskLimit'],
      ...tasks(second).map((id) => [id, 'PENDING', 'Dependency']),
    ];
    assert.deepEqual(states(newestRecords(plain), allTasks), expected);
    assert.deepEqual(states(newestRecords(expanded), allTasks), expected);
  });

  test('sacct knows tasks not started only by their array id, as one line', () => {
    const byTask = newestRecords(parseSacct(stdout('sweep-sacct-tasks-pending')));
    assert.equal(byTask.get(`${first}_2`), undefined, 'asked by task id, sacct says nothing of a pending task');
    const byArray = newestRecords(parseSacct(stdout('sweep-sacct-arrays-pending')));
    assert.deepEqual(states(byArray, tasks(first)), [
      [`${first}_0`, 'RUNNING', undefined],
      [`${first}_1`, 'RUNNING', undefined],
      [`${first}_2`, 'PENDING', 'JobArrayTaskLimit'],
      [`${first}_3`, 'PENDING', 'JobArrayTaskLimit'],
    ]);
  });

  test('scontrol -o of an array: one record per task, squeue-style ids', () => {
    const jobs = newestRecords(parseScontrolJobs(stdout('sweep-scontrol-oneline-array-final')));
    assert.deepEqual(states(jobs, tasks(second)), [
      [`${second}_0`, 'COMPLETED', undefined],
      [`${second}_1`, 'COMPLETED', undefined],
      [`${second}_2`, 'CANCELLED', 'DependencyNeverSatisfied'],
      [`${second}_3`, 'CANCELLED', 'Dependency'],
    ]);
  });

  test('jobs found by name (a lost submit answer) map to their arrays', () => {
    const named = parseNamedJobs(new Map([['squeue', { status: 0, stdout: stdout('sweep-find-jobs-by-name'), stderr: '' }]]));
    assert.deepEqual(
      [...new Set(named.map((job) => `${job.name} ${arrayJobId(job.jobId)}`))].sort(),
      [`ferry-s-20261122-000000-abcdef-first ${first}`, `ferry-s-20261122-000000-abcdef-second ${second}`],
    );
  });
});

describe('polling array tasks (poll-result on the captured answers)', () => {
  const pending = (status: JobKnowledge) => (status.kind === 'known' ? [status.job.state, status.job.reason] : [status.kind]);

  test('while pending: every task known from squeue, even from the shared line', () => {
    const result = parsePollRecords([cmd('squeue', stdout('sweep-squeue-tasks-pending'))], allTasks, 0);
    assert.deepEqual(pending(result.jobs.get(`${first}_3`)!), ['PENDING', 'JobArrayTaskLimit']);
    assert.deepEqual(pending(result.jobs.get(`${second}_0`)!), ['PENDING', 'Dependency']);
    assert.equal(result.problem, undefined);
  });

  test('at the end: exit codes from sacct by array id; the failed point, the point Slurm dropped, the point the user cancelled', () => {
    const result = parsePollRecords(
      [cmd('squeue', stdout('sweep-squeue-tasks-final-array')), cmd('sacct', stdout('sweep-sacct-arrays-final'))],
      allTasks,
      allTasks.length,
    );
    const known = (id: string) => {
      const knowledge = result.jobs.get(id)!;
      assert.equal(knowledge.kind, 'known', id);
      return knowledge.kind === 'known' ? knowledge.job : undefined!;
    };
    assert.deepEqual([known(`${first}_2`).state, known(`${first}_2`).exitCode], ['FAILED', { code: 3, signal: 0 }]);
    assert.deepEqual([known(`${first}_3`).state, known(`${first}_3`).source], ['COMPLETED', 'sacct']);

    const step = (jobId: string): ActiveStep => ({ runId: 'r-20261122-000000-abcdef', runDir: '/runs/r', step: 'second', jobId, state: 'queued', logOffset: 0, metricsOffset: 0 });
    const files = { logSize: 0, metrics: { data: Buffer.alloc(0), size: 0 } };
    const observe = (jobId: string) => observeStep(step(jobId), result.jobs.get(jobId)!, files, { utcOffset: '+0000', endedWithoutStatusForMs: 0 });
    // Point 2's first step failed: Slurm cancelled its second step (kill-on-invalid-dep); the engine skips it, naming the upstream step.
    assert.deepEqual([observe(`${second}_2`).state, observe(`${second}_2`).reason], ['queued', 'CANCELLED: an upstream step did not succeed (Dependency)']);
    // Point 3's second step was cancelled by the user while it waited.
    assert.deepEqual([observe(`${second}_3`).state, observe(`${second}_3`).reason], ['cancelled', 'CANCELLED by 1001: the job was cancelled outside Ferry']);
  });

  test('without accounting: scontrol asked by array id answers for each task', () => {
    const result = parsePollRecords(
      [cmd('squeue', ''), cmd(`scontrol:${second}`, stdout('sweep-scontrol-oneline-array-final'))],
      tasks(second),
      0,
    );
    assert.deepEqual(tasks(second).map((id) => pending(result.jobs.get(id)!)[0]), ['COMPLETED', 'COMPLETED', 'CANCELLED', 'CANCELLED']);
  });
});

describe('the poll script asks sacct about ended array tasks by their array ids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-arrays-'));
  const runner = new LocalCommandRunner();
  after(async () => {
    await runner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('squeue and sacct answer with the captured outputs; sacct is asked once per array', async () => {
    writeFileSync(join(dir, 'squeue.txt'), stdout('sweep-squeue-tasks-final-array'));
    writeFileSync(join(dir, 'sacct.txt'), stdout('sweep-sacct-arrays-final'));
    const asked = join(dir, 'sacct-args.txt');
    // Real bash runs the real script; only the two Slurm commands are functions that print what the cluster printed.
    const shadow = [
      `squeue() { cat ${join(dir, 'squeue.txt')}; }`,
      `sacct() { printf '%s\\n' "$@" >${asked}; cat ${join(dir, 'sacct.txt')}; }`,
      '',
    ].join('\n');
    const nonce = newNonce();
    const script = pollScript(nonce, { jobIds: allTasks, steps: [], accounting: true });
    const result = parsePollRecords(await runScript(runner, shadow + script, nonce, 'poll', 20_000), allTasks, 0);
    assert.ok(readFileSync(asked, 'utf8').split('\n').includes(`--jobs=${first},${second}`));
    assert.deepEqual(allTasks.map((id) => result.jobs.get(id)?.kind), allTasks.map(() => 'known'));
  });
});
