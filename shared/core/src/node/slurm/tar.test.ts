import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tarArchive } from './tar.js';

const root = mkdtempSync(join(tmpdir(), 'ferry-tar-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Unpacks with the system's GNU tar, as the cluster does. */
function extract(archive: Buffer, name: string): string {
  const dir = join(root, name);
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('tar', ['-xf', '-', '-C', dir], { input: archive });
  return dir;
}

test('GNU tar unpacks files, directories, modes and bytes exactly', () => {
  const binary = Buffer.from(Array.from({ length: 1500 }, (_, i) => i % 256));
  const dir = extract(
    tarArchive([
      { path: 'steps', mode: 0o700 },
      { path: 'steps/train', mode: 0o700 },
      { path: 'steps/train/job.sh', mode: 0o700, data: '#!/bin/bash\necho ünïcode\n' },
      { path: 'params.json', mode: 0o600, data: '{}\n' },
      { path: 'empty.txt', mode: 0o600, data: '' },
      { path: 'binary.bin', mode: 0o600, data: binary },
    ]),
    'basic',
  );
  assert.equal(readFileSync(join(dir, 'steps/train/job.sh'), 'utf8'), '#!/bin/bash\necho ünïcode\n');
  assert.equal(statSync(join(dir, 'steps/train/job.sh')).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'params.json')).mode & 0o777, 0o600);
  assert.ok(statSync(join(dir, 'steps/train')).isDirectory());
  assert.equal(readFileSync(join(dir, 'empty.txt'), 'utf8'), '');
  assert.deepEqual(readFileSync(join(dir, 'binary.bin')), binary);
});

test('paths over 100 bytes go through the ustar prefix field', () => {
  const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(90)}.txt`;
  const dir = extract(tarArchive([{ path: deep, mode: 0o600, data: 'deep' }]), 'long');
  assert.equal(readFileSync(join(dir, deep), 'utf8'), 'deep');
});

test('the archive is whole 512-byte blocks ending in two zero blocks', () => {
  const archive = tarArchive([{ path: 'a.txt', mode: 0o600, data: 'x'.repeat(513) }]);
  assert.equal(archive.length, 512 + 1024 + 1024);
  assert.ok(archive.subarray(-1024).every((byte) => byte === 0));
});

test('absolute, escaping and overlong paths are refused', () => {
  assert.throws(() => tarArchive([{ path: '/etc/passwd', mode: 0o600, data: '' }]), /refusing/);
  assert.throws(() => tarArchive([{ path: 'steps/../../x', mode: 0o600, data: '' }]), /refusing/);
  assert.throws(() => tarArchive([{ path: 'x'.repeat(101), mode: 0o600, data: '' }]), /too long/);
});

test("relative symbolic links (a sweep's points/<index>) unpack as links that resolve", () => {
  const dir = extract(
    tarArchive([
      { path: 'runs', mode: 0o700 },
      { path: 'runs/r-1', mode: 0o700 },
      { path: 'runs/r-1/params.json', mode: 0o600, data: '{"lr": 0.1}\n' },
      { path: 'sweeps', mode: 0o700 },
      { path: 'sweeps/s-1', mode: 0o700 },
      { path: 'sweeps/s-1/points', mode: 0o700 },
      { path: 'sweeps/s-1/points/0', mode: 0o700, link: '../../../runs/r-1' },
    ]),
    'links',
  );
  assert.equal(readlinkSync(join(dir, 'sweeps/s-1/points/0')), '../../../runs/r-1');
  assert.equal(readFileSync(join(dir, 'sweeps/s-1/points/0/params.json'), 'utf8'), '{"lr": 0.1}\n');
  assert.throws(() => tarArchive([{ path: 'x', mode: 0o700, link: '/etc' }]), /refusing the link target/);
  assert.throws(() => tarArchive([{ path: 'x', mode: 0o700, link: 'y'.repeat(101) }]), /refusing the link target/);
});
