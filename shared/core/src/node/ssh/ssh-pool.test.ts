/** Which targets share one SSH connection (nothing connects here: runners connect on first use). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SshConnectionPool } from './ssh-pool.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-pool-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const configFile = join(dir, 'ssh_config');
writeFileSync(configFile, 'Host hpc\n  HostName login.example.org\n  User alice\n  Port 2200\n');
const env = { HOME: dir, USER: 'alice' };

test('targets naming the same host through an alias or its address share one connection', () => {
  const pool = new SshConnectionPool();
  const viaAlias = pool.get({ host: 'hpc', configFile, env });
  const viaAddress = pool.get({ host: 'alice@login.example.org:2200', configFile, env });
  assert.equal(viaAlias, viaAddress);
  assert.notEqual(pool.get({ host: 'bob@login.example.org:2200', configFile, env }), viaAlias, 'another user is another connection');
});

test('a target trusting another known_hosts file gets a connection of its own, checked against that file', () => {
  const pool = new SshConnectionPool();
  const usual = pool.get({ host: 'hpc', configFile, env });
  const strict = pool.get({ host: 'hpc', configFile, env, knownHostsFile: join(dir, 'known_hosts.strict') });
  assert.notEqual(strict, usual);
  assert.deepEqual(strict.destination.knownHostsFiles, [join(dir, 'known_hosts.strict')]);
});
