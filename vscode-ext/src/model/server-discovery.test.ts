import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliCommand, discoveryFile, liveClient, readDiscovery } from './server-discovery.js';

test('the discovery file is under FERRY_HOME, else ~/.ferry', () => {
  assert.equal(discoveryFile({ FERRY_HOME: '/tmp/fh', HOME: '/home/u' }), '/tmp/fh/server.json');
  assert.equal(discoveryFile({ HOME: '/home/u' }), '/home/u/.ferry/server.json');
});

test('a missing, torn or stale discovery file means no live server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-discovery-'));
  try {
    const file = join(dir, 'server.json');
    assert.equal(await readDiscovery(file), undefined);
    writeFileSync(file, '{"url": "http://127.0.0.1:1", "tok');
    assert.equal(await readDiscovery(file), undefined);
    // Nothing listens on port 1: the file describes a server that died.
    writeFileSync(file, JSON.stringify({ url: 'http://127.0.0.1:1', token: 't', pid: 1 }));
    assert.deepEqual(await readDiscovery(file), { url: 'http://127.0.0.1:1', token: 't', pid: 1 });
    assert.equal(await liveClient(file), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI: a configured path wins, .js runs with Node, relative paths are refused', () => {
  assert.deepEqual(cliCommand('/repo/server/bin/ferry.js', [], '/usr/bin/node'), { file: '/usr/bin/node', args: ['/repo/server/bin/ferry.js'] });
  assert.deepEqual(cliCommand('', ['/ws/node_modules/.bin/ferry'], '/usr/bin/node'), { file: '/ws/node_modules/.bin/ferry', args: [] });
  assert.deepEqual(cliCommand('  ', [], '/usr/bin/node'), { file: 'ferry', args: [] });
  assert.throws(() => cliCommand('bin/ferry', [], '/usr/bin/node'), /absolute path/);
});
