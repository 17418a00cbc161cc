/**
 * The generated scripts' file handling, run by a real bash on real files,
 * with squeue and sacct shadowed by functions that fail the way they do when
 * slurmctld is down (which the poll must survive as "unknown"): metrics bytes
 * from exactly the stored offset, status.json, files not written yet, paths
 * that need quoting, log byte ranges.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LocalCommandRunner } from '../remote/local-runner.js';
import { parsePollRecords } from './poll-result.js';
import { pollScript } from './poll-script.js';
import { readLogScript } from './read-log-script.js';
import { newNonce, runScript } from './remote-script.js';

const root = mkdtempSync(join(tmpdir(), 'ferry-remote-scripts-'));
const runner = new LocalCommandRunner();
after(async () => {
  await runner.close();
  rmSync(root, { recursive: true, force: true });
});

const stepA = join(root, 'steps', 'a');
const stepB = join(root, "steps/b with 'quotes' $HOME");
mkdirSync(stepA, { recursive: true });
mkdirSync(stepB, { recursive: true });
const metrics = '{"name":"loss","value":1,"step":0,"time":1}\n{"name":"loss","value":0.5,"step":1,"time":2}\n{"name":"lo';
writeFileSync(join(stepA, 'metrics.jsonl'), metrics);
writeFileSync(join(stepA, 'log.txt'), 'line 1\nline 2 ü\n');
writeFileSync(join(stepA, 'status.json'), JSON.stringify({ state: 'running', pid: 12, startedAt: '2026-01-01T00:00:00.000Z' }));

async function poll(offsets: [number, number]) {
  const nonce = newNonce();
  const script = pollScript(nonce, {
    jobIds: ['101'],
    steps: [{ stepDir: stepA, metricsOffset: offsets[0] }, { stepDir: stepB, metricsOffset: offsets[1] }],
    accounting: true,
  });
  // Whether or not this machine has Slurm, its controller "does not answer" here: nothing is known about the job.
  const down = `squeue() { echo 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' >&2; return 1; }\nsacct() { squeue; }\n`;
  return parsePollRecords(await runScript(runner, down + script, nonce, 'poll', 20_000), ['101'], 2);
}

test('the poll reads status.json, the log size and metrics from exactly the given offset', async () => {
  const result = await poll([45, 0]);
  const [a, b] = result.files;
  assert.deepEqual(a?.status, { state: 'running', pid: 12, startedAt: '2026-01-01T00:00:00.000Z' });
  assert.equal(a?.logSize, Buffer.byteLength('line 1\nline 2 ü\n'));
  assert.deepEqual(a?.metrics, { data: Buffer.from(metrics).subarray(45), size: Buffer.byteLength(metrics) });
  assert.deepEqual(b, { logSize: 0, metrics: { data: Buffer.alloc(0), size: 0 } }, 'a step that has not written anything yet');
  assert.deepEqual(result.jobs.get('101'), { kind: 'unknown' }, 'squeue could not run: unknown, not failed');
  assert.match(result.problem!, /squeue failed/);
});

test('an offset at the end of the file reads nothing; past it, nothing either', async () => {
  const size = Buffer.byteLength(metrics);
  assert.equal((await poll([size, 0])).files[0]?.metrics.data.length, 0);
  assert.equal((await poll([size + 100, 0])).files[0]?.metrics.data.length, 0);
});

test('a log byte range: at most maxBytes from the offset, and the whole size', async () => {
  const log = join(stepA, 'log.txt');
  const read = async (offset: number, max: number) => {
    const nonce = newNonce();
    const [range] = await runScript(runner, readLogScript(nonce, log, offset, max), nonce, 'read', 20_000);
    return { size: Number(range?.fields[0]), data: Buffer.from(range?.fields[1] ?? '', 'base64').toString('utf8') };
  };
  assert.deepEqual(await read(0, 1 << 20), { size: 17, data: 'line 1\nline 2 ü\n' });
  assert.deepEqual(await read(7, 6), { size: 17, data: 'line 2' });
  assert.deepEqual(await read(17, 10), { size: 17, data: '' });
  const nonce = newNonce();
  const [missing] = await runScript(runner, readLogScript(nonce, join(stepB, 'log.txt'), 0, 10), nonce, 'read', 20_000);
  assert.deepEqual(missing?.fields, ['0', '']);
  assert.equal(readFileSync(log, 'utf8'), 'line 1\nline 2 ü\n', 'reading changes nothing');
});
