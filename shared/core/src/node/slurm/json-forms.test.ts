/**
 * Slurm 22.05's JSON forms next to the text forms Ferry parses, on outputs
 * captured from the dev cluster in one session (golden/slurm/captured):
 * Slurm's own structured view is the witness that the text parsers read the
 * same jobs the same way. Ferry polls with the text forms because in 22.05
 * `squeue --json` ignores `--jobs` (it returns every job slurmctld knows, so
 * a poll would grow with the cluster, not with Ferry's jobs) and
 * `sacct --json` reports every exit code as 0; both shown below.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSacct } from './sacct-parsable.js';
import { durationMinutes, slurmTimeToIso, type SlurmJob } from './slurm-job.js';
import { parseSqueue } from './squeue-text.js';

const captured = fileURLToPath(new URL('../../../golden/slurm/captured/', import.meta.url));
const read = (name: string) => readFileSync(join(captured, name), 'utf8');

/** The fields of 22.05's OpenAPI v0.0.38 job records that the text forms also carry. */
interface SqueueJsonJob { job_id: number; job_state: string; time_limit: number; start_time: number; end_time: number; nodes: string; name: string; array_job_id: number; array_task_id: number | null }
interface SacctJsonJob { job_id: number; state: { current: string }; exit_code: { return_code: number }; time: { start: number; end: number; limit: number }; nodes: string; name: string }

const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL']);
const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();
/** The dev cluster runs in UTC (its probe's `date +%z`). */
const utc = (text: string | undefined) => slurmTimeToIso(text, '+0000');

test('squeue: the text form reads every finished job as squeue --json describes it', () => {
  const json = (JSON.parse(read('squeue-json.json')) as { meta: { plugin: { type: string } }; jobs: SqueueJsonJob[] });
  assert.equal(json.meta.plugin.type, 'openapi/v0.0.38');
  const text = new Map(parseSqueue(read('squeue-format-pipe-all-states.txt')).map((job) => [job.jobId, job]));
  const compared: string[] = [];
  for (const job of json.jobs) {
    const id = job.array_task_id === null ? String(job.job_id) : `${job.array_job_id}_${job.array_task_id}`;
    const parsed = text.get(id);
    if (!parsed || !FINAL.has(job.job_state) || !FINAL.has(parsed.state)) continue;
    assert.deepEqual(
      { state: parsed.state, limit: durationMinutes(parsed.timeLimit), start: utc(parsed.start), end: utc(parsed.end), nodes: parsed.nodes },
      { state: job.job_state, limit: job.time_limit, start: iso(job.start_time), end: iso(job.end_time), nodes: job.nodes || undefined },
      `job ${id}`,
    );
    compared.push(id);
  }
  assert.ok(compared.length >= 3, `finished jobs in both captures: ${compared.join(', ')}`);
});

test('squeue --json in 22.05 ignores --jobs: the text form, which honours it, is the one polled', () => {
  const askedFor = 65;
  const listed = JSON.parse(read('squeue-json-jobs-filter-ignored.txt').trim()) as number[];
  assert.ok(listed.includes(askedFor) && listed.length > 1, 'every job came back, not only the one asked for');
});

test('sacct: the parsable form agrees with sacct --json on states and times, and alone has the exit codes', () => {
  const json = (JSON.parse(read('sacct-json.json')) as { jobs: SacctJsonJob[] }).jobs;
  const text = new Map(parseSacct(read('sacct-parsable2-final.txt')).map((job): [string, SlurmJob] => [job.jobId, job]));
  let compared = 0;
  for (const job of json) {
    const parsed = text.get(String(job.job_id));
    if (!parsed || !FINAL.has(job.state.current)) continue;
    assert.deepEqual(
      { state: parsed.state, start: utc(parsed.start), end: utc(parsed.end), nodes: parsed.nodes },
      { state: job.state.current, start: iso(job.time.start), end: iso(job.time.end), nodes: job.nodes },
      `job ${job.job_id}`,
    );
    compared++;
  }
  assert.ok(compared >= 2);
  // The job that exited 3: the parsable form says so; 22.05's JSON says 0.
  const failed = json.find((job) => job.state.current === 'FAILED')!;
  assert.deepEqual(text.get(String(failed.job_id))?.exitCode, { code: 3, signal: 0 });
  assert.equal(failed.exit_code.return_code, 0);
});
