/**
 * From Slurm's records (real ones, from the captures) and the step's files
 * to Ferry's step states: which witness decides what, and that a controller
 * that cannot be asked never fails a step.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StepStatus } from '../targets/step-files.js';
import type { ActiveStep } from '../targets/target.js';
import { observeStep, REQUEUE_GRACE_MS, STATUS_GRACE_MS, type JobKnowledge, type StepFiles } from './job-observation.js';
import { parsePollRecords } from './poll-result.js';
import type { ScriptRecord } from './remote-script.js';
import { parseSacct } from './sacct-parsable.js';
import { parseScontrolJobs } from './scontrol-job.js';
import type { SlurmJob } from './slurm-job.js';
import { parseSqueue } from './squeue-text.js';

const captured = fileURLToPath(new URL('../../../golden/slurm/captured/', import.meta.url));
const read = (name: string) => readFileSync(join(captured, name), 'utf8');
const ids = JSON.parse(read('jobs.json')) as Record<string, string>;
const squeueLive = parseSqueue(read('squeue-format-pipe-all-states.txt'));
const squeueFinal = parseSqueue(read('squeue-format-pipe-all-states-final.txt'));
const sacctLive = parseSacct(read('sacct-parsable2-live-jobs.txt'));
const sacctFinal = parseSacct(read('sacct-parsable2-final.txt'));

function job(jobs: SlurmJob[], role: string): JobKnowledge {
  const found = jobs.find((candidate) => candidate.jobId === ids[role]);
  assert.ok(found, `no job ${role} in the capture`);
  return { kind: 'known', job: found };
}

const active: ActiveStep = { runId: 'r-20261122-000000-abcdef', runDir: '/home/ferrytest/ferry/runs/r', step: 'train', jobId: '1', state: 'queued', logOffset: 0, metricsOffset: 0 };
const running: StepStatus = { state: 'running', pid: 7, startedAt: '2026-11-23T00:00:05.000Z' };
const files = (status?: StepStatus): StepFiles => ({ ...(status && { status }), logSize: 10, metrics: { data: Buffer.alloc(0), size: 0 } });
const context = { utcOffset: '+0000', endedWithoutStatusForMs: 0 };

function observe(knowledge: JobKnowledge, status?: StepStatus, extra: Partial<typeof context> = {}) {
  // Only the verdict and times: ids, log size and metrics pass through unchanged; the node has tests of its own.
  const { runId: _runId, step: _step, logSize: _logSize, metrics: _metrics, node: _node, ...verdict } = observeStep(active, knowledge, files(status), { ...context, ...extra });
  return verdict;
}

describe('a step observed through Slurm', () => {
  test('the node is the one Slurm ran the job on (squeue or sacct), and none before it started', () => {
    const node = (knowledge: JobKnowledge) => observeStep(active, knowledge, files(), context).node;
    assert.equal(node(job(squeueLive, 'running')), 'vm');
    assert.equal(node(job(sacctFinal, 'completed')), 'vm');
    assert.equal(node(job(squeueLive, 'pending_resources')), undefined);
    assert.equal(node(job(sacctLive, 'cancelled_pending')), undefined, 'sacct says "None assigned"');
    assert.equal(node({ kind: 'unknown' }), undefined);
  });

  test("a short job gone from the queue before slurmdbd recorded it: the node and restarts the runtime wrote (Slurm's own node name wins when known)", () => {
    const ended: StepStatus = { state: 'succeeded', node: 'c07', restarts: 1, startedAt: '2026-11-23T00:00:05.000Z', finishedAt: '2026-11-23T00:00:06.000Z', exitCode: 0 };
    const observed = observeStep(active, { kind: 'gone' }, files(ended), context);
    assert.deepEqual([observed.state, observed.node, observed.retries], ['succeeded', 'c07', 1], 'a requeued job counts its restarts');
    assert.equal(observeStep(active, job(sacctFinal, 'completed'), files(ended), context).node, 'vm');
  });

  test('pending: queued, with the reason in words', () => {
    assert.deepEqual(observe(job(squeueLive, 'pending_resources')), { state: 'queued', reason: 'PENDING (Resources): waiting for free resources' });
    assert.deepEqual(observe(job(squeueLive, 'pending_dependency')), { state: 'queued', reason: 'PENDING (Dependency): waiting for upstream steps' });
    assert.deepEqual(observe(job(squeueLive, 'pending_held')), { state: 'queued', reason: 'PENDING (JobHeldUser): held by the user' });
  });

  test('running: started at the runtime\'s time, else Slurm\'s (converted to UTC)', () => {
    assert.deepEqual(observe(job(squeueLive, 'running'), running), { state: 'running', startedAt: '2026-11-23T00:00:05.000Z' });
    assert.deepEqual(observe(job(squeueLive, 'running'), undefined, { utcOffset: '+0100' }), { state: 'running', startedAt: '2026-11-22T23:00:04.000Z' });
    assert.equal(observe(job(sacctLive, 'running')).state, 'running', 'sacct answers for live jobs too (when squeue cannot)');
  });

  test("the runtime's final status decides success and failure", () => {
    const succeeded: StepStatus = { ...running, state: 'succeeded', exitCode: 0, finishedAt: '2026-11-23T00:00:09.000Z' };
    assert.deepEqual(observe(job(squeueLive, 'running'), succeeded), {
      state: 'succeeded', exitCode: 0, startedAt: '2026-11-23T00:00:05.000Z', finishedAt: '2026-11-23T00:00:09.000Z',
    });
    const failed: StepStatus = { ...running, state: 'failed', exitCode: 1, error: { type: 'ValueError', message: 'bad', cell: 8 } };
    assert.equal(observe(job(sacctFinal, 'failed_exit3'), failed).reason, 'ValueError: bad (cell 8)');
  });

  test('TIMEOUT: SIGTERM made the runtime write "cancelled"; Slurm says why', () => {
    const cancelled: StepStatus = { ...running, state: 'cancelled', exitCode: 143 };
    assert.deepEqual(observe(job(squeueFinal, 'timeout'), cancelled), {
      state: 'failed', reason: 'TIMEOUT: the step ran past its time limit (1m)', exitCode: 143,
      startedAt: '2026-11-23T00:00:05.000Z', finishedAt: '2026-11-23T00:01:17.000Z',
    });
    // Still completing: wait for Slurm's final word rather than call it cancelled.
    assert.equal(observe(job(squeueLive, 'timeout'), cancelled).state, 'running');
  });

  test('SIGTERM, then Slurm says FAILED (a requeue passes through it): running for a grace period, then cancelled', () => {
    const cancelled: StepStatus = { ...running, state: 'cancelled', exitCode: 143 };
    const failed = job(sacctFinal, 'failed_exit3');
    assert.equal(observe(failed, cancelled).state, 'running', 'the job may pend again');
    assert.deepEqual(observe(failed, cancelled, { endedWithoutStatusForMs: REQUEUE_GRACE_MS }).reason, 'the step process was sent SIGTERM');
  });

  test('a batch job that failed before the runtime started (a set-up line): FAILED with its exit code', () => {
    assert.deepEqual(observe(job(sacctFinal, 'failed_exit3')), {
      state: 'failed',
      reason: "FAILED: the batch job ended with exit code 3 before the step reported; a set-up line may have failed, see the step's log",
      exitCode: 3, startedAt: '2026-11-22T23:59:58.000Z', finishedAt: '2026-11-22T23:59:58.000Z',
    });
  });

  test('cancelled outside Ferry: cancelled, naming who', () => {
    assert.equal(observe(job(sacctFinal, 'cancelled_running'), running).reason, 'CANCELLED by 1001: the job was cancelled outside Ferry');
    assert.equal(observe(job(sacctFinal, 'cancelled_running'), running).state, 'cancelled');
  });

  test('a dependency that can never be satisfied stays queued: the engine skips the step, naming the failed upstream step', () => {
    assert.equal(observe(job(squeueLive, 'pending_dependency_never_satisfied')).state, 'queued');
    assert.equal(observe(job(squeueFinal, 'pending_dependency_never_satisfied')).state, 'queued');
    // sacct's spelling of a kill-on-invalid-dep cancel (seen on the dev cluster): no "by UID", reason Dependency.
    const killed = parseSacct('90|ferry-r-x-evaluate|CANCELLED|0:0|None|2026-11-22T23:49:43|00:00:00|None assigned|Dependency|\n')[0]!;
    assert.equal(observe({ kind: 'known', job: killed }).state, 'queued');
    // A user's scancel of a job waiting on its dependency is a cancel.
    assert.equal(observe(job(squeueFinal, 'pending_dependency')).state, 'cancelled');
  });

  test('a job that ended while status.json still says running waits out the grace period (NFS), then Slurm decides', () => {
    const completed = job(sacctFinal, 'completed');
    assert.equal(observe(completed, running).state, 'running');
    assert.equal(observe(completed, running, { endedWithoutStatusForMs: STATUS_GRACE_MS }).state, 'failed');
    assert.match(observe(completed, undefined, { endedWithoutStatusForMs: STATUS_GRACE_MS }).reason!, /never started/);
  });

  test('unknown (the controller could not be asked): the step keeps its state, never fails', () => {
    assert.deepEqual(observe({ kind: 'unknown' }), { state: 'queued' });
    assert.deepEqual(observe({ kind: 'unknown' }, running), { state: 'running', startedAt: '2026-11-23T00:00:05.000Z' });
  });

  test('gone (accounting off, MinJobAge passed): decided from status.json', () => {
    assert.equal(observe({ kind: 'gone' }, { ...running, state: 'succeeded', exitCode: 0 }).state, 'succeeded');
    assert.equal(observe({ kind: 'gone' }, running).state, 'failed');
    assert.equal(observe({ kind: 'gone' }).state, 'cancelled');
    assert.match(observe({ kind: 'gone' }, { ...running, state: 'cancelled', exitCode: 143 }).reason!, /^the step process was sent SIGTERM/);
  });
});

const b64 = (text: string) => Buffer.from(text).toString('base64');
const cmd = (name: string, status: number, out: string, err = ''): ScriptRecord => ({ kind: 'cmd', fields: [name, String(status), b64(out), b64(err)] });

describe('the poll script\'s answers, per job', () => {
  test('live jobs from squeue, ended ones from sacct (with squeue\'s time limit), forgotten ones gone', () => {
    const result = parsePollRecords(
      [
        cmd('squeue', 0, read('squeue-format-pipe-all-states-final.txt')),
        cmd('sacct', 0, read('sacct-parsable2-final.txt')),
        { kind: 'step', fields: ['0', '120', '57', b64(JSON.stringify(running)), b64('{"name":"loss"')] },
      ],
      [ids.timeout!, ids.cancelled_running!, '999999'],
      1,
    );
    const timeout = result.jobs.get(ids.timeout!);
    assert.equal(timeout?.kind === 'known' && `${timeout.job.source} ${timeout.job.state} ${timeout.job.timeLimit}`, 'sacct TIMEOUT 1:00');
    const cancelled = result.jobs.get(ids.cancelled_running!);
    assert.equal(cancelled?.kind === 'known' && cancelled.job.stateDetail, 'by 1001');
    assert.deepEqual(result.jobs.get('999999'), { kind: 'gone' });
    assert.deepEqual(result.files[0], { status: running, logSize: 120, metrics: { data: Buffer.from('{"name":"loss"'), size: 57 } });
    assert.equal(result.problem, undefined);
  });

  test('squeue failing for another reason than a forgotten id: nothing is known, nothing is gone', () => {
    const result = parsePollRecords(
      [cmd('squeue', 1, '', 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n'), cmd('sacct', 1, '', 'sacct: error: slurmdbd: Connection refused\n')],
      [ids.running!],
      0,
    );
    assert.deepEqual(result.jobs.get(ids.running!), { kind: 'unknown' });
    assert.match(result.problem!, /squeue failed: slurm_load_jobs error: Unable to contact slurm controller/);
  });

  test('squeue\'s "Invalid job id" for a single forgotten id is an answer: without accounting, scontrol confirms it is gone', () => {
    const result = parsePollRecords(
      [cmd('squeue', 1, '', read('squeue-error-unknown-job.stderr.txt')), cmd('scontrol:5', 1, '', read('scontrol-show-job-error-unknown.stderr.txt'))],
      ['5'],
      0,
    );
    assert.deepEqual(result.jobs.get('5'), { kind: 'gone' });
  });

  test('without accounting, scontrol gives an ended job its exit code; sacct saying accounting is off asks for a new probe', () => {
    const result = parsePollRecords(
      [cmd('squeue', 0, read('acct-off-squeue-format-pipe-all-states.txt')), cmd(`scontrol:${ids.failed_exit3}`, 0, read('scontrol-show-job-oneline-failed.txt'))],
      [ids.failed_exit3!],
      0,
    );
    const failed = result.jobs.get(ids.failed_exit3!);
    assert.deepEqual(failed?.kind === 'known' && [failed.job.source, failed.job.exitCode], ['scontrol', { code: 3, signal: 0 }]);
    assert.equal(parsePollRecords([cmd('squeue', 0, ''), cmd('sacct', 1, '', read('acct-off-sacct.stderr.txt'))], ['5'], 0).accountingOff, true);
    assert.equal(parseScontrolJobs(read('scontrol-show-job-oneline-failed.txt')).length, 1);
  });
});
