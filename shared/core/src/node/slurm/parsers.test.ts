/**
 * The Slurm parsers on REAL outputs of Slurm 22.05.8 (shared/core/golden/slurm/captured/,
 * from scripts/slurm/capture.sh on the dev cluster), in the formats the poll script asks for.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SlurmTargetConfig } from '../config.js';
import { parseProbe } from './probe.js';
import { parseRecords, type ScriptRecord } from './remote-script.js';
import { isAccountingDisabled, parseSacct, SACCT_FIELDS } from './sacct-parsable.js';
import { parseScontrolJobs } from './scontrol-job.js';
import { durationMinutes, formatMinutes, parseExitCode, slurmTimeToIso, splitState, type SlurmJob } from './slurm-job.js';
import { isInvalidJobIdError, parseSqueue, SQUEUE_FORMAT } from './squeue-text.js';
import { parseSubmitRecords } from './submit-script.js';

const captured = fileURLToPath(new URL('../../../golden/slurm/captured/', import.meta.url));
const read = (name: string) => readFileSync(join(captured, name), 'utf8');
const stdout = (name: string) => read(`${name}.txt`);
const stderr = (name: string) => read(`${name}.stderr.txt`);
const ids = JSON.parse(read('jobs.json')) as Record<string, string>;

function byId(jobs: SlurmJob[]): Map<string, SlurmJob> {
  return new Map(jobs.map((job) => [job.jobId, job]));
}

describe('squeue text', () => {
  test('the captures used the format the poll script asks for', () => {
    assert.ok(read('squeue-format-pipe-all-states.cmd').includes(`--format='${SQUEUE_FORMAT}'`));
  });

  test('every state, reason, time and array id of a live queue', () => {
    const jobs = byId(parseSqueue(stdout('squeue-format-pipe-all-states')));
    assert.deepEqual(jobs.get(ids.running!), {
      jobId: ids.running, state: 'RUNNING', start: '2026-11-23T00:00:04', end: '2026-11-23T00:20:04', nodes: 'vm', timeLimit: '20:00', source: 'squeue',
    });
    assert.deepEqual(jobs.get(ids.pending_dependency!), { jobId: ids.pending_dependency, state: 'PENDING', reason: 'Dependency', timeLimit: '5:00', source: 'squeue' });
    assert.equal(jobs.get(ids.pending_dependency_never_satisfied!)?.reason, 'DependencyNeverSatisfied');
    assert.equal(jobs.get(ids.pending_resources!)?.reason, 'Resources');
    assert.equal(jobs.get(ids.pending_priority!)?.reason, 'Priority');
    assert.equal(jobs.get(ids.pending_held!)?.reason, 'JobHeldUser');
    assert.equal(jobs.get(ids.pending_long_partition!)?.timeLimit, '2:00:00');
    assert.equal(jobs.get(ids.failed_exit3!)?.state, 'FAILED');
    assert.equal(jobs.get(ids.failed_exit3!)?.reason, 'NonZeroExitCode');
    assert.equal(jobs.get(`${ids.array_completed}_0`)?.state, 'COMPLETED');
    assert.equal(jobs.get(`${ids.array_pending}_[0-3%2]`)?.state, 'PENDING');
    assert.equal(jobs.get(ids.cancelled_pending!)?.nodes, undefined, 'an empty node list');
  });

  test('final states: TIMEOUT with its limit, CANCELLED with the reason it was waiting for', () => {
    const jobs = byId(parseSqueue(stdout('squeue-format-pipe-all-states-final')));
    assert.deepEqual(
      { state: jobs.get(ids.timeout!)?.state, reason: jobs.get(ids.timeout!)?.reason, timeLimit: jobs.get(ids.timeout!)?.timeLimit },
      { state: 'TIMEOUT', reason: 'TimeLimit', timeLimit: '1:00' },
    );
    assert.equal(jobs.get(ids.pending_dependency_never_satisfied!)?.state, 'CANCELLED');
    assert.equal(jobs.get(ids.pending_dependency_never_satisfied!)?.reason, 'DependencyNeverSatisfied');
    assert.equal(jobs.get(`${ids.array_throttled_partly_running}_[1-3%1]`)?.reason, 'JobArrayTaskLimit');
  });

  test('an id Slurm forgot: "Invalid job id" with one id, silence with several', () => {
    assert.equal(read('squeue-error-unknown-job.exit').trim(), '1');
    assert.ok(isInvalidJobIdError(stderr('squeue-error-unknown-job')));
    assert.deepEqual(parseSqueue(stdout('squeue-unknown-and-known-job')).map((job) => job.jobId), [ids.running]);
  });

  test('array tasks, running and throttled, keep their ids', () => {
    assert.deepEqual(
      parseSqueue(stdout('squeue-format-pipe-array-partly-running')).map((job) => [job.jobId, job.state]),
      [[`${ids.array_throttled_partly_running}_[1-3%1]`, 'PENDING'], [`${ids.array_throttled_partly_running}_0`, 'RUNNING']],
    );
  });

  test('lines that are not records (banners, warnings) are skipped', () => {
    assert.deepEqual(parseSqueue('Welcome to the cluster!\nsqueue: warning: something\n\n'), []);
  });
});

describe('sacct --parsable2', () => {
  test('the captures used the fields the poll script asks for', () => {
    assert.ok(read('sacct-parsable2-live-jobs.cmd').includes(`-o ${SACCT_FIELDS}`));
  });

  test('exit codes, "CANCELLED by UID", Unknown times and "None assigned" nodes', () => {
    const jobs = byId(parseSacct(stdout('sacct-parsable2-live-jobs')));
    assert.deepEqual(jobs.get(ids.failed_exit3!), {
      jobId: ids.failed_exit3, state: 'FAILED', start: '2026-11-22T23:59:58', end: '2026-11-22T23:59:58', nodes: 'vm', exitCode: { code: 3, signal: 0 }, source: 'sacct',
    });
    assert.deepEqual(splitState('CANCELLED by 1001'), { state: 'CANCELLED', stateDetail: 'by 1001' });
    assert.equal(jobs.get(ids.cancelled_running!)?.stateDetail, 'by 1001');
    assert.equal(jobs.get(ids.running!)?.end, undefined, 'Unknown');
    assert.equal(jobs.get(ids.pending_dependency!)?.start, undefined, 'Unknown');
    assert.equal(jobs.get(ids.cancelled_pending!)?.nodes, undefined, 'None assigned');
    assert.equal(jobs.get(ids.pending_dependency_never_satisfied!)?.reason, 'DependencyNeverSatisfied');
    assert.equal(jobs.get(`${ids.array_pending}_[0-3%2]`)?.state, 'PENDING');
  });

  test('TIMEOUT after the fact, and job steps (.batch) are not jobs', () => {
    assert.equal(byId(parseSacct(stdout('sacct-parsable2-final'))).get(ids.timeout!)?.state, 'TIMEOUT');
    const withSteps = `${stdout('sacct-parsable2-live-jobs')}${ids.completed}.batch|batch|COMPLETED|0:0|2026-11-22T23:59:58|2026-11-22T23:59:58|00:00:00|vm|None|\n`;
    assert.ok(!parseSacct(withSteps).some((job) => job.jobId.includes('.')));
  });

  test('without accounting, sacct says so', () => {
    assert.equal(read('acct-off-sacct.exit').trim(), '1');
    assert.ok(isAccountingDisabled(stderr('acct-off-sacct')));
  });
});

describe('scontrol show job', () => {
  test('the multi-line form: TIMEOUT with signal 15, its limit and times', () => {
    const [job] = parseScontrolJobs(stdout('scontrol-show-job-timeout-final'));
    assert.deepEqual(job, {
      jobId: ids.timeout, state: 'TIMEOUT', reason: 'TimeLimit', start: '2026-11-23T00:00:04', end: '2026-11-23T00:01:17', nodes: 'vm',
      exitCode: { code: 0, signal: 15 }, timeLimit: '00:01:00', submit: '2026-11-23T00:00:04', source: 'scontrol',
    });
  });

  test('the one-line form (-o) reads the same', () => {
    const [multi] = parseScontrolJobs(stdout('scontrol-show-job-failed'));
    const [one] = parseScontrolJobs(stdout('scontrol-show-job-oneline-failed'));
    assert.deepEqual(one, multi);
    assert.deepEqual(one?.exitCode, { code: 3, signal: 0 });
  });

  test('pending, never satisfiable, cancelled before start, completed without accounting', () => {
    assert.equal(parseScontrolJobs(stdout('scontrol-show-job-pending-dependency'))[0]?.reason, 'Dependency');
    assert.equal(parseScontrolJobs(stdout('scontrol-show-job-pending-never'))[0]?.reason, 'DependencyNeverSatisfied');
    const cancelled = parseScontrolJobs(stdout('scontrol-show-job-cancelled-pending'))[0];
    assert.deepEqual([cancelled?.state, cancelled?.nodes], ['CANCELLED', undefined]);
    const completed = parseScontrolJobs(stdout('acct-off-scontrol-show-job-completed'))[0];
    assert.deepEqual([completed?.state, completed?.exitCode], ['COMPLETED', { code: 0, signal: 0 }]);
    assert.equal(parseScontrolJobs(stdout('scontrol-show-job-running'))[0]?.end, '2026-11-23T00:20:04');
  });

  test('array tasks: one record per task, squeue-style ids', () => {
    const tasks = parseScontrolJobs(stdout('scontrol-show-job-array-completed')).map((job) => job.jobId).sort();
    assert.deepEqual(tasks, [0, 1, 2, 3].map((task) => `${ids.array_completed}_${task}`));
    assert.equal(parseScontrolJobs(stdout('scontrol-show-job-oneline-array-pending'))[0]?.jobId, `${ids.array_pending}_[0-3%2]`);
  });

  test('a forgotten job is an "Invalid job id" error', () => {
    assert.ok(isInvalidJobIdError(stderr('scontrol-show-job-error-unknown')));
  });
});

describe('Slurm values', () => {
  test('durations in every Slurm spelling', () => {
    assert.equal(durationMinutes('1:00'), 1); // squeue: MM:SS
    assert.equal(durationMinutes('00:01:00'), 1); // scontrol: HH:MM:SS
    assert.equal(durationMinutes('2:00:00'), 120);
    assert.equal(durationMinutes('7-00:00:00'), 7 * 1440);
    assert.equal(durationMinutes('1-12'), 36 * 60);
    assert.equal(durationMinutes('30'), 30);
    assert.equal(durationMinutes('UNLIMITED'), undefined);
    assert.equal(durationMinutes('Partition_Limit'), undefined);
    assert.deepEqual([1, 30, 90, 1440 + 61].map(formatMinutes), ['1m', '30m', '1h30m', '1d1h1m']);
  });

  test('exit codes and local times', () => {
    assert.deepEqual(['0:0', '1:0', '0:15', 'n/a'].map(parseExitCode), [{ code: 0, signal: 0 }, { code: 1, signal: 0 }, { code: 0, signal: 15 }, undefined]);
    assert.equal(slurmTimeToIso('2026-11-23T00:00:04', '+0000'), '2026-11-23T00:00:04.000Z');
    assert.equal(slurmTimeToIso('2026-11-23T01:00:04', '+0100'), '2026-11-23T00:00:04.000Z');
    assert.equal(slurmTimeToIso('2026-11-22T19:00:04', '-0500'), '2026-11-23T00:00:04.000Z');
    for (const none of ['Unknown', 'None', 'N/A', '']) assert.equal(slurmTimeToIso(none, '+0000'), undefined);
  });
});

/** A script's stdout as the runner returns it. */
function output(lines: string[], noise = 'Last login: yesterday\nmodule: loaded 3 modules\n'): { code: number; signal: null; stdout: Buffer; stderr: string } {
  return { code: 0, signal: null, stdout: Buffer.from(noise + lines.join('\n') + '\n'), stderr: '' };
}
const mark = '__FERRY_cafe__';
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('records of the generated scripts', () => {
  test('login noise is ignored; output without its end record is refused', () => {
    const records = parseRecords(output([`${mark} begin`, `${mark} job prepare 12`, `__FERRY_other__ job x 1`, `${mark} end`]), 'cafe', 'test');
    assert.deepEqual(records, [{ kind: 'job', fields: ['prepare', '12'] }]);
    const cut = { ...output([`${mark} begin`, `${mark} job prepare 12`]), code: 255, stderr: 'Connection reset\n' };
    assert.throws(() => parseRecords(cut, 'cafe', 'submitting'), /submitting: the remote script exited with status 255 before it finished: Connection reset/);
  });

  test("a refused sbatch brings back sbatch's own message (invalid partition)", () => {
    const records: ScriptRecord[] = [
      { kind: 'job', fields: ['prepare', '100'] },
      { kind: 'refused', fields: ['train', read('sbatch-error-invalid-partition.exit').trim(), '', b64(stderr('sbatch-error-invalid-partition'))] },
      { kind: 'cmd', fields: ['rollback', '0', '', ''] },
    ];
    assert.deepEqual(parseSubmitRecords(records), {
      ok: false,
      step: 'train',
      message: 'sbatch: error: invalid partition specified: gpu-nope\nsbatch: error: Batch job submission failed: Invalid partition name specified',
      jobIds: { prepare: '100' },
      rolledBack: true,
    });
  });

  test('the probe reads version, accounting, MinJobAge, partitions, Python and what sbatch/squeue/sacct said', () => {
    const config: SlurmTargetConfig = { type: 'slurm', host: 'h', workdir: '~/ferry', python: 'python3', setup: [], local: false };
    const cmd = (name: string, status: number, out: string, err = '') => ({ kind: 'cmd', fields: [name, String(status), b64(out), b64(err)] });
    const records = (config: string): ScriptRecord[] => [
      { kind: 'home', fields: [b64('/home/ferrytest')] },
      cmd('workdir', 0, ''),
      cmd('version', 0, stdout('sinfo-version')),
      cmd('config', 0, stdout(config)),
      cmd('tz', 0, '+0100\n'),
      cmd('json', 0, ''),
      cmd('partitions', 0, 'debug*\nlong\n'),
      cmd('python', 0, '3.11.2\n'),
      cmd('sbatch', 1, '', 'sbatch: error: invalid partition specified: gpu-nope\nsbatch: error: Batch job submission failed: Invalid partition name specified\n'),
      cmd('squeue', 0, '12\n13\n'),
      cmd('sacct', 1, '', 'sacct: error: Slurm accounting storage is disabled\n'),
    ];
    const probe = parseProbe(records('scontrol-show-config-grep'), config);
    assert.deepEqual(probe, {
      home: '/home/ferrytest', workdir: '/home/ferrytest/ferry', slurmVersion: '22.05.8', accounting: true, minJobAgeSeconds: 300,
      utcOffset: '+0100', squeueJson: true, partitions: ['debug', 'long'], defaultPartition: 'debug', python: { version: '3.11.2' },
      commands: {
        sbatch: 'sbatch --test-only exited with status 1: sbatch: error: invalid partition specified: gpu-nope\nsbatch: error: Batch job submission failed: Invalid partition name specified',
        sacct: 'sacct exited with status 1: sacct: error: Slurm accounting storage is disabled',
      },
    });
    const withoutAccounting = parseProbe(records('acct-off-scontrol-show-config-grep'), config);
    assert.equal(withoutAccounting.accounting, false);
    assert.deepEqual(Object.keys(withoutAccounting.commands), ['sbatch'], 'sacct failing is expected where accounting is off');
    assert.ok(existsSync(join(captured, 'acct-off-scontrol-show-config-grep.txt')));
  });
});
