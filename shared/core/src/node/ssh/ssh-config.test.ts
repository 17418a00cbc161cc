import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FerryError } from '../../errors.js';
import { matchesPatternList } from './host-patterns.js';
import { resolveSshHost, type ResolveSshHostOptions } from './ssh-config.js';
import { parseSshDestination } from './ssh-destination.js';

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A throwaway home directory holding `files` (paths relative to it), and resolve options that use it. */
function home(files: Record<string, string>): { home: string; options: ResolveSshHostOptions } {
  const root = mkdtempSync(join(tmpdir(), 'ferry-ssh-config-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { home: root, options: { env: { HOME: root, USER: 'alice' }, systemConfigFile: null } };
}

describe('host patterns', () => {
  test('globs, several patterns, and negation vetoing the list', () => {
    assert.equal(matchesPatternList('login1.cluster.org', ['*.cluster.org']), true);
    assert.equal(matchesPatternList('login1.cluster.org', ['login?.cluster.org']), true);
    assert.equal(matchesPatternList('login12.cluster.org', ['login?.cluster.org']), false);
    assert.equal(matchesPatternList('LOGIN1.Cluster.org', ['login1.cluster.org']), true, 'host names are case-insensitive');
    assert.equal(matchesPatternList('gpu.cluster.org', ['*.cluster.org', '!gpu.cluster.org']), false);
    assert.equal(matchesPatternList('gpu.cluster.org', ['!gpu.cluster.org']), false, 'a negation alone matches nothing');
    assert.equal(matchesPatternList('a.b', ['a+b', 'a.b']), true, 'regular-expression characters are literal');
    assert.equal(matchesPatternList('axb', ['a.b']), false);
  });
});

describe('destinations', () => {
  test('user@host:port, bracketed IPv6, ssh:// URIs and bare hosts', () => {
    assert.deepEqual(parseSshDestination('login1'), { host: 'login1' });
    assert.deepEqual(parseSshDestination('bob@login1:2200'), { host: 'login1', user: 'bob', port: 2200 });
    assert.deepEqual(parseSshDestination('bob@[::1]:2222'), { host: '::1', user: 'bob', port: 2222 });
    assert.deepEqual(parseSshDestination('::1'), { host: '::1' });
    assert.deepEqual(parseSshDestination('ssh://bob@login1:2200'), { host: 'login1', user: 'bob', port: 2200 });
    assert.deepEqual(parseSshDestination('bob@realm@login1'), { host: 'login1', user: 'bob@realm' });
    assert.throws(() => parseSshDestination('login1:99999'), /1 to 65535/);
    assert.throws(() => parseSshDestination('@login1'), /not an SSH destination/);
  });
});

describe('resolveSshHost', () => {
  test('without a config: OpenSSH defaults, and only default key files that exist', () => {
    const { home: root, options } = home({ '.ssh/id_ed25519': 'key', '.ssh/id_rsa': 'key' });
    const host = resolveSshHost('login1.cluster.org', options);
    assert.equal(host.host, 'login1.cluster.org');
    assert.equal(host.port, 22);
    assert.equal(host.user, 'alice');
    assert.deepEqual(host.identityFiles, [join(root, '.ssh/id_rsa'), join(root, '.ssh/id_ed25519')]);
    assert.deepEqual(host.knownHostsFiles, [join(root, '.ssh/known_hosts'), join(root, '.ssh/known_hosts2')]);
    assert.deepEqual(host.globalKnownHostsFiles, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
    assert.equal(host.strictHostKeyChecking, 'ask');
    assert.equal(host.serverAliveIntervalMs, undefined);
    assert.equal(host.serverAliveCountMax, 3);
    assert.deepEqual(host.proxyJump, []);
    assert.deepEqual(host.notes, []);
  });

  test('the first value obtained wins; later Host * blocks only fill gaps', () => {
    const { options } = home({
      '.ssh/config': `
# site defaults come last, as ssh_config(5) recommends
Host hpc
    HostName login1.cluster.org
    User bob

Host hpc other
    User carol
    Port 2200

Host *
    User dave
    Port 22
    ServerAliveInterval 1m
    ServerAliveCountMax 5
    ConnectTimeout 10
`,
    });
    const host = resolveSshHost('hpc', options);
    assert.equal(host.alias, 'hpc');
    assert.equal(host.host, 'login1.cluster.org');
    assert.equal(host.user, 'bob');
    assert.equal(host.port, 2200);
    assert.equal(host.serverAliveIntervalMs, 60_000);
    assert.equal(host.serverAliveCountMax, 5);
    assert.equal(host.connectTimeoutMs, 10_000);
    const other = resolveSshHost('other', options);
    assert.equal(other.host, 'other');
    assert.equal(other.user, 'carol');
  });

  test('negated patterns, ? wildcards and the %h token in HostName', () => {
    const { options } = home({
      '.ssh/config': `
Host *.hpc !secret.hpc
    HostName %h.cluster.org
    User bob
Host node?
    HostName %h.internal
`,
    });
    assert.equal(resolveSshHost('gpu.hpc', options).host, 'gpu.hpc.cluster.org');
    assert.equal(resolveSshHost('secret.hpc', options).host, 'secret.hpc');
    assert.equal(resolveSshHost('secret.hpc', options).user, 'alice');
    assert.equal(resolveSshHost('node7', options).host, 'node7.internal');
    assert.equal(resolveSshHost('node17', options).host, 'node17');
  });

  test('the destination and explicit options override the config, like ssh -l and -p', () => {
    const { options } = home({ '.ssh/config': 'Host hpc\n  HostName login1\n  User bob\n  Port 2200\n' });
    const host = resolveSshHost('eve@hpc:2022', options);
    assert.equal(host.user, 'eve');
    assert.equal(host.port, 2022);
    assert.equal(host.host, 'login1');
    assert.equal(resolveSshHost('hpc', { ...options, user: 'frank', port: 23 }).user, 'frank');
  });

  test('identityFile, knownHostsFile and proxyJump options act like ssh -i, -o UserKnownHostsFile and -J, for the destination only', () => {
    const { home: root, options } = home({
      '.ssh/config': `
Host hpc
  IdentityFile ~/.ssh/hpc_key
  UserKnownHostsFile ~/.ssh/hpc_known
  ProxyJump config-jump
Host bastion
  HostName bastion.org
`,
    });
    const host = resolveSshHost('hpc', { ...options, identityFile: '~/.ssh/ferry_key', knownHostsFile: '/etc/ferry/known_hosts', proxyJump: 'bob@bastion:2200' });
    assert.deepEqual(host.identityFiles, [join(root, '.ssh/ferry_key'), join(root, '.ssh/hpc_key')]);
    assert.deepEqual(host.knownHostsFiles, ['/etc/ferry/known_hosts']);
    assert.deepEqual(host.proxyJump.map((hop) => `${hop.user}@${hop.host}:${hop.port}`), ['bob@bastion.org:2200']);
    const hop = host.proxyJump[0]!;
    assert.ok(!hop.identityFiles.includes(join(root, '.ssh/ferry_key')), 'the jump host does not get the destination key');
    assert.ok(!hop.knownHostsFiles.includes('/etc/ferry/known_hosts'));
    assert.deepEqual(resolveSshHost('hpc', { ...options, proxyJump: 'none' }).proxyJump, []);
  });

  test('IdentityFile lines add up, with ~ and %d %u %h %r %% tokens', () => {
    const { home: root, options } = home({
      '.ssh/config': `
Host hpc
  HostName login1.cluster.org
  User bob
  IdentityFile ~/.ssh/hpc_key
  IdentityFile %d/keys/%u-%r@%h
  IdentitiesOnly yes
Host *
  IdentityFile "/opt/keys/100%%"
`,
    });
    const host = resolveSshHost('hpc', options);
    assert.deepEqual(host.identityFiles, [join(root, '.ssh/hpc_key'), `${root}/keys/alice-bob@login1.cluster.org`, '/opt/keys/100%']);
    assert.equal(host.identitiesOnly, true);
  });

  test('Keyword=value forms, quoting, comments and case-insensitive keywords', () => {
    const { options } = home({
      '.ssh/config': `
HOST=hpc
  hostname = login1 # the login node
  USER="bob smith"
  Port=2200
  UserKnownHostsFile '/tmp/known hosts' /tmp/other\\ file
`,
    });
    const host = resolveSshHost('hpc', options);
    assert.equal(host.host, 'login1');
    assert.equal(host.user, 'bob smith');
    assert.equal(host.port, 2200);
    assert.deepEqual(host.knownHostsFiles, ['/tmp/known hosts', '/tmp/other file']);
  });

  test('known_hosts and host key settings', () => {
    const { options } = home({
      '.ssh/config': `
Host strict
  StrictHostKeyChecking yes
Host lax
  StrictHostKeyChecking off
  UserKnownHostsFile none
  HashKnownHosts yes
Host new
  StrictHostKeyChecking accept-new
  HostKeyAlias cluster-login
Host broken
  StrictHostKeyChecking maybe
`,
    });
    assert.equal(resolveSshHost('strict', options).strictHostKeyChecking, 'yes');
    const lax = resolveSshHost('lax', options);
    assert.equal(lax.strictHostKeyChecking, 'no');
    assert.deepEqual(lax.knownHostsFiles, []);
    assert.equal(lax.hashKnownHosts, true);
    const fresh = resolveSshHost('new', options);
    assert.equal(fresh.strictHostKeyChecking, 'accept-new');
    assert.equal(fresh.hostKeyAlias, 'cluster-login');
    assert.throws(
      () => resolveSshHost('broken', options),
      (error: unknown) =>
        error instanceof FerryError &&
        error.category === 'target' &&
        /config:12: StrictHostKeyChecking must be yes, no, ask or accept-new, not "maybe"/.test(error.message) &&
        error.location?.line === 12,
    );
  });

  test('ProxyJump: a chain of hops, each looked up in the config itself', () => {
    const { options } = home({
      '.ssh/config': `
Host hpc
  HostName login1.internal
  ProxyJump carol@bastion:2200,gateway
Host bastion
  HostName bastion.cluster.org
  User bob
  Port 22
  IdentityFile ~/.ssh/bastion_key
Host gateway
  HostName gw.internal
  ProxyJump gateway-entry
Host direct
  ProxyJump none
Host direct other
  ProxyJump gateway
`,
    });
    const host = resolveSshHost('hpc', options);
    assert.deepEqual(
      host.proxyJump.map((hop) => `${hop.user}@${hop.host}:${hop.port}`),
      ['carol@bastion.cluster.org:2200', 'alice@gw.internal:22'],
    );
    assert.match(host.proxyJump[0]!.identityFiles[0]!, /bastion_key$/);
    assert.deepEqual(resolveSshHost('direct', options).proxyJump, [], '"none" is the first value obtained');
    // gateway's own ProxyJump counts only where gateway is the first hop (not for hpc above).
    assert.deepEqual(resolveSshHost('other', options).proxyJump.map((hop) => hop.host), ['gateway-entry', 'gw.internal']);
  });

  test("ProxyJump: the first hop's own ProxyJump comes first; loops are reported", () => {
    const { options } = home({
      '.ssh/config': `
Host hpc
  ProxyJump inner
Host inner
  ProxyJump outer
Host outer
  HostName outer.example.org
Host loop
  ProxyJump loop
`,
    });
    assert.deepEqual(
      resolveSshHost('hpc', options).proxyJump.map((hop) => hop.host),
      ['outer.example.org', 'inner'],
    );
    assert.throws(() => resolveSshHost('loop', options), /more than 8 hosts; is there a loop/);
  });

  test('Include: relative to ~/.ssh, globs in sorted order, conditional inside a Host block', () => {
    const { options } = home({
      '.ssh/config': `
Include config.d/*.conf
Host hpc
  Include hpc-only
Host *
  User fallback
`,
      '.ssh/config.d/20-late.conf': 'Host hpc\n  Port 2220\n',
      '.ssh/config.d/10-early.conf': 'Host hpc\n  Port 2210\nHost other\n  Port 2299\n',
      '.ssh/config.d/.hidden.conf': 'Host hpc\n  Port 1\n',
      '.ssh/hpc-only': 'User hpcuser\nHost nothing-after-this-applies-outside\n  Port 3333\n',
    });
    const hpc = resolveSshHost('hpc', options);
    assert.equal(hpc.port, 2210, '10-early.conf is read before 20-late.conf');
    assert.equal(hpc.user, 'hpcuser');
    const other = resolveSshHost('other', options);
    assert.equal(other.port, 2299);
    assert.equal(other.user, 'fallback', 'hpc-only is only read for hpc');
  });

  test('Match blocks are skipped with a note, up to the next Host line', () => {
    const { options } = home({
      '.ssh/config': `
Match host hpc exec "false"
  User matched
  Port 9999
Host hpc
  HostName login1
`,
    });
    const host = resolveSshHost('hpc', options);
    assert.equal(host.user, 'alice');
    assert.equal(host.port, 22);
    assert.equal(host.host, 'login1');
    assert.equal(host.notes.length, 1);
    assert.match(host.notes[0]!, /config:2: a Match block is not evaluated by Ferry/);
  });

  test('the system file is read after the user file; an explicit config file replaces both', () => {
    const { home: root, options } = home({
      '.ssh/config': 'Host hpc\n  User bob\n',
      'etc/ssh_config': 'Host *\n  User nobody\n  Port 2200\n',
      'custom_config': 'Host hpc\n  HostName custom\n',
    });
    const host = resolveSshHost('hpc', { ...options, systemConfigFile: join(root, 'etc/ssh_config') });
    assert.equal(host.user, 'bob');
    assert.equal(host.port, 2200);
    const custom = resolveSshHost('hpc', { env: options.env, configFile: join(root, 'custom_config') });
    assert.equal(custom.host, 'custom');
    assert.equal(custom.user, 'alice');
  });

  test('IdentityAgent, and what Ferry does not support is noted', () => {
    const { options } = home({
      '.ssh/config': `
Host no-agent
  IdentityAgent none
Host other-agent
  IdentityAgent ~/agent.sock
Host proxied
  ProxyCommand nc %h %p
`,
    });
    const env = { ...options.env, SSH_AUTH_SOCK: '/run/agent.sock' };
    assert.equal(resolveSshHost('plain', { ...options, env }).identityAgent, '/run/agent.sock');
    assert.equal(resolveSshHost('no-agent', { ...options, env }).identityAgent, undefined);
    assert.match(resolveSshHost('other-agent', { ...options, env }).identityAgent!, /\/agent\.sock$/);
    assert.match(resolveSshHost('proxied', options).notes[0]!, /ProxyCommand is not supported/);
  });

  test('bad values name the file and line', () => {
    const { options } = home({ '.ssh/config': 'Host hpc\n  Port twenty\nHost t\n  ConnectTimeout soon\nHost k\n  IdentityFile ~/%Q\n' });
    assert.throws(() => resolveSshHost('hpc', options), /config:2: Port must be a number from 1 to 65535, not "twenty"/);
    assert.throws(() => resolveSshHost('t', options), /config:4: ConnectTimeout must be a number of seconds/);
    assert.throws(() => resolveSshHost('k', options), /config:6: IdentityFile uses the token %Q/);
  });
});
