import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../errors.js';
import { isProcessAlive } from '../targets/processes.js';
import { shellQuote } from './command-runner.js';
import { LocalCommandRunner } from './local-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-local-runner-'));
const runner = new LocalCommandRunner();
after(async () => {
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitUntilGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!isProcessAlive(pid)) return true;
    await sleep(50);
  }
  return false;
}

/** The pid a command wrote to `file` once it started its background `sleep`. */
async function pidFrom(file: string): Promise<number> {
  for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(20);
  return Number(readFileSync(file, 'utf8'));
}

test('exec returns stdout as bytes, stderr as text and the exit code', async () => {
  const result = await runner.exec(`printf 'a\\0b'; echo 'wrong' >&2; exit 3`);
  assert.deepEqual(result.stdout, Buffer.from('a\0b'));
  assert.equal(result.stderr, 'wrong\n');
  assert.equal(result.code, 3);
  assert.equal(result.signal, null);
});

test('stdin bytes reach the command unchanged, and no stdin means EOF at once', async () => {
  const bytes = randomBytes(3 * 1024 * 1024);
  const echoed = await runner.exec('cat', { stdin: bytes });
  assert.ok(echoed.stdout.equals(bytes), 'cat returns the same 3 MiB');
  const empty = await runner.exec('wc -c', { timeoutMs: 5_000 });
  assert.equal(empty.stdout.toString().trim(), '0');
});

test('a command ended by a signal reports the signal and no code', async () => {
  const result = await runner.exec('kill -TERM $$');
  assert.equal(result.code, null);
  assert.equal(result.signal, 'SIGTERM');
});

test('a timeout fails with a target error and stops the whole process group', async () => {
  const pidFile = join(dir, 'timeout.pid');
  const started = Date.now();
  await assert.rejects(runner.exec(`sleep 300 & echo $! > ${shellQuote(pidFile)}; wait`, { timeoutMs: 500 }), (error: unknown) => {
    assert.ok(error instanceof FerryError && error.category === 'target');
    assert.match(error.message, /`sleep` did not finish within 0.5 s on this machine/);
    return true;
  });
  assert.ok(Date.now() - started < 3_000, 'the exec fails when the time is up, not when the command ends');
  const sleeper = await pidFrom(pidFile);
  assert.ok(await waitUntilGone(sleeper), 'the background sleep started by the command is killed too');
});

test('aborting stops the command and rejects with the signal reason', async () => {
  const pidFile = join(dir, 'abort.pid');
  const controller = new AbortController();
  const exec = runner.exec(`sleep 300 & echo $! > ${shellQuote(pidFile)}; wait`, { signal: controller.signal });
  const sleeper = await pidFrom(pidFile);
  controller.abort(new Error('user cancelled'));
  await assert.rejects(exec, /user cancelled/);
  assert.ok(await waitUntilGone(sleeper));
});

test('an already aborted signal runs nothing', async () => {
  const marker = join(dir, 'never');
  await assert.rejects(runner.exec(`touch ${shellQuote(marker)}`, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  await sleep(100);
  assert.equal(existsSync(marker), false);
});

test('close stops running commands and refuses new ones', async () => {
  const own = new LocalCommandRunner();
  const pidFile = join(dir, 'close.pid');
  const running = own.exec(`sleep 300 & echo $! > ${shellQuote(pidFile)}; wait`);
  const sleeper = await pidFrom(pidFile);
  const failed = assert.rejects(running, /closed while the command ran/);
  await own.close();
  await failed;
  assert.ok(await waitUntilGone(sleeper));
  await assert.rejects(own.exec('true'), (error: unknown) => error instanceof FerryError && error.category === 'target');
});
