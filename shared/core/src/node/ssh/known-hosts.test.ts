/**
 * known_hosts checks against real keys made by ssh-keygen, and files written
 * or hashed by ssh-keygen itself, so the format is OpenSSH's and not ours.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FerryError } from '../../errors.js';
import { verifyHostKey } from './host-key-policy.js';
import { addKnownHost, checkHostKey, fingerprintOf, keyTypeOf, knownHostKeyTypes } from './known-hosts.js';
import type { ResolvedHost } from './ssh-config.js';
import type { SshPrompter, UnknownHostKeyRequest } from './ssh-prompter.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-known-hosts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface TestKey {
  /** The public key line's "type base64" part, as known_hosts holds it. */
  line: string;
  blob: Buffer;
  pubFile: string;
}

function generateKey(name: string, type: 'ed25519' | 'ecdsa' | 'rsa'): TestKey {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', name, '-f', file]);
  const [keyType, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  return { line: `${keyType} ${base64}`, blob: Buffer.from(base64!, 'base64'), pubFile: `${file}.pub` };
}

const ed25519 = generateKey('host_ed25519', 'ed25519');
const ed25519Other = generateKey('host_ed25519_other', 'ed25519');
const ecdsa = generateKey('host_ecdsa', 'ecdsa');
const rsa = generateKey('host_rsa', 'rsa');

let fileCount = 0;
function knownHosts(text: string): string {
  const file = join(dir, `known_hosts_${++fileCount}`);
  writeFileSync(file, text);
  return file;
}

describe('checkHostKey', () => {
  test('key types and fingerprints read the same as ssh-keygen prints them', () => {
    assert.equal(keyTypeOf(ed25519.blob), 'ssh-ed25519');
    assert.equal(keyTypeOf(ecdsa.blob), 'ecdsa-sha2-nistp256');
    assert.equal(keyTypeOf(rsa.blob), 'ssh-rsa');
    for (const key of [ed25519, ecdsa, rsa]) {
      const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', key.pubFile], { encoding: 'utf8' }).split(' ')[1];
      assert.equal(fingerprintOf(key.blob), printed);
    }
  });

  test('plain entries: trusted, changed (with the offending line), unknown', () => {
    const file = knownHosts(`# a comment\n\nlogin1.cluster.org ${ecdsa.line}\nlogin1.cluster.org ${ed25519.line}\n`);
    const trusted = checkHostKey({ host: 'login1.cluster.org', port: 22, key: ed25519.blob, files: [file] });
    assert.equal(trusted.status, 'trusted');
    assert.equal(trusted.line?.line, 4);
    const changed = checkHostKey({ host: 'LOGIN1.cluster.org', port: 22, key: ed25519Other.blob, files: [file] });
    assert.equal(changed.status, 'changed');
    assert.deepEqual(changed.line, { file, line: 4, keyType: 'ssh-ed25519', fingerprint: fingerprintOf(ed25519.blob) });
    const elsewhere = checkHostKey({ host: 'login2.cluster.org', port: 22, key: ed25519.blob, files: [file] });
    assert.equal(elsewhere.status, 'unknown');
    const newType = checkHostKey({ host: 'login1.cluster.org', port: 22, key: rsa.blob, files: [file] });
    assert.equal(newType.status, 'unknown', 'a key of a type not on record is new, not changed');
    assert.equal(newType.otherKeys.length, 2);
  });

  test('[host]:port names only match their port; comma lists, wildcards and negation', () => {
    const file = knownHosts(`[127.0.0.1]:2222,[localhost]:2222 ${ed25519.line}\n*.cluster.org,!evil.cluster.org ${ecdsa.line}\n`);
    assert.equal(checkHostKey({ host: '127.0.0.1', port: 2222, key: ed25519.blob, files: [file] }).status, 'trusted');
    assert.equal(checkHostKey({ host: 'localhost', port: 2222, key: ed25519.blob, files: [file] }).status, 'trusted');
    assert.equal(checkHostKey({ host: '127.0.0.1', port: 22, key: ed25519.blob, files: [file] }).status, 'unknown');
    assert.equal(checkHostKey({ host: 'login7.cluster.org', port: 22, key: ecdsa.blob, files: [file] }).status, 'trusted');
    assert.equal(checkHostKey({ host: 'evil.cluster.org', port: 22, key: ecdsa.blob, files: [file] }).status, 'unknown');
  });

  test('hashed entries written by ssh-keygen -H', () => {
    const file = knownHosts(`login1.cluster.org ${ed25519.line}\n[127.0.0.1]:2222 ${ecdsa.line}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file]);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\|1\|/m);
    assert.doesNotMatch(text, /login1|127\.0\.0\.1/);
    assert.equal(checkHostKey({ host: 'login1.cluster.org', port: 22, key: ed25519.blob, files: [file] }).status, 'trusted');
    assert.equal(checkHostKey({ host: '127.0.0.1', port: 2222, key: ecdsa.blob, files: [file] }).status, 'trusted');
    assert.equal(checkHostKey({ host: '127.0.0.1', port: 2222, key: ed25519.blob, files: [file] }).status, 'unknown');
    assert.equal(checkHostKey({ host: 'login1.cluster.org', port: 22, key: ed25519Other.blob, files: [file] }).status, 'changed');
  });

  test('@revoked wins over a trusting line; @cert-authority lines are ignored with a note', () => {
    const file = knownHosts(`login1 ${ed25519.line}\n@revoked * ${ed25519.line}\n@cert-authority *.cluster.org ${rsa.line}\n`);
    const revoked = checkHostKey({ host: 'login1', port: 22, key: ed25519.blob, files: [file] });
    assert.equal(revoked.status, 'revoked');
    assert.equal(revoked.line?.line, 2);
    const ca = checkHostKey({ host: 'a.cluster.org', port: 22, key: rsa.blob, files: [file] });
    assert.equal(ca.status, 'unknown');
    assert.match(ca.notes[0]!, /:3: @cert-authority lines are not supported/);
  });

  test('several files are read in order, missing ones know nothing, malformed lines are skipped', () => {
    const broken = knownHosts(`login1 ssh-ed25519 not*base64\nlogin1 ssh-rsa ${ed25519.line.split(' ')[1]}\n`);
    const good = knownHosts(`login1 ${ed25519.line}\n`);
    const check = checkHostKey({ host: 'login1', port: 22, key: ed25519.blob, files: [join(dir, 'missing'), broken, good] });
    assert.equal(check.status, 'trusted');
    assert.equal(check.line?.file, good);
    assert.deepEqual(knownHostKeyTypes('login1', 22, [broken, good]), ['ssh-ed25519']);
  });
});

describe('addKnownHost', () => {
  test('creates ~/.ssh 0700 and the file 0600, with a line OpenSSH finds (plain and hashed)', () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const file = join(home, '.ssh/known_hosts');
    addKnownHost(file, '127.0.0.1', 2222, ed25519.blob);
    addKnownHost(file, 'login1.cluster.org', 22, ecdsa.blob, { hash: true });
    assert.equal(statSync(join(home, '.ssh')).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file], { encoding: 'utf8' }), /Host \[127\.0\.0\.1\]:2222 found: line 1/);
    assert.match(execFileSync('ssh-keygen', ['-F', 'login1.cluster.org', '-f', file], { encoding: 'utf8' }), /found: line 2/);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /login1/);
    assert.equal(checkHostKey({ host: '127.0.0.1', port: 2222, key: ed25519.blob, files: [file] }).status, 'trusted');
  });

  test('appends on a new line when the file does not end with one', () => {
    const file = knownHosts(`login1 ${ecdsa.line}`);
    addKnownHost(file, 'login2', 22, ed25519.blob);
    assert.equal(checkHostKey({ host: 'login1', port: 22, key: ecdsa.blob, files: [file] }).status, 'trusted');
    assert.equal(checkHostKey({ host: 'login2', port: 22, key: ed25519.blob, files: [file] }).status, 'trusted');
  });
});

describe('verifyHostKey (the StrictHostKeyChecking policy)', () => {
  function hop(overrides: Partial<ResolvedHost>): ResolvedHost {
    return {
      alias: 'hpc',
      host: '127.0.0.1',
      port: 2222,
      user: 'alice',
      identityFiles: [],
      identitiesOnly: false,
      identityAgent: undefined,
      proxyJump: [],
      knownHostsFiles: [],
      globalKnownHostsFiles: [],
      hashKnownHosts: false,
      hostKeyAlias: undefined,
      strictHostKeyChecking: 'ask',
      serverAliveIntervalMs: undefined,
      serverAliveCountMax: 3,
      connectTimeoutMs: undefined,
      notes: [],
      ...overrides,
    };
  }

  function prompter(answer: boolean): SshPrompter & { asked: UnknownHostKeyRequest[] } {
    const asked: UnknownHostKeyRequest[] = [];
    return {
      asked,
      keyboardInteractive: () => Promise.reject(new Error('not expected')),
      passphrase: () => Promise.reject(new Error('not expected')),
      unknownHostKey: async (request) => {
        asked.push(request);
        return answer;
      },
    };
  }

  const isTargetError = (pattern: RegExp) => (error: unknown) => error instanceof FerryError && error.category === 'target' && pattern.test(error.message);

  test('a changed key is refused with the file and line to fix, and nobody is asked', async () => {
    const file = knownHosts(`# old install\n[127.0.0.1]:2222 ${ed25519Other.line}\n`);
    const ask = prompter(true);
    await assert.rejects(
      verifyHostKey(hop({ knownHostsFiles: [file] }), ed25519.blob, ask),
      isTargetError(new RegExp(`the host key of \\[127\\.0\\.0\\.1\\]:2222 has CHANGED .*${fingerprintOf(ed25519.blob).replace(/[+/]/g, '\\$&')}.*remove the old line 2 from ${file}`)),
    );
    assert.equal(ask.asked.length, 0);
  });

  test('an unknown key is asked about; accepted keys are remembered, refused ones fail', async () => {
    const file = join(mkdtempSync(join(dir, 'ask-')), 'known_hosts');
    const refuse = prompter(false);
    await assert.rejects(verifyHostKey(hop({ knownHostsFiles: [file] }), ed25519.blob, refuse), isTargetError(/was not accepted; Ferry did not connect/));
    assert.deepEqual(refuse.asked, [{ host: '127.0.0.1', port: 2222, keyType: 'ssh-ed25519', fingerprint: fingerprintOf(ed25519.blob) }]);
    const accept = prompter(true);
    await verifyHostKey(hop({ knownHostsFiles: [file] }), ed25519.blob, accept);
    assert.equal(checkHostKey({ host: '127.0.0.1', port: 2222, key: ed25519.blob, files: [file] }).status, 'trusted');
    await verifyHostKey(hop({ knownHostsFiles: [file] }), ed25519.blob, undefined); // now known: no prompter needed
  });

  test('without a prompter, or with StrictHostKeyChecking yes, an unknown key fails; accept-new takes it silently', async () => {
    const file = join(mkdtempSync(join(dir, 'policy-')), 'known_hosts');
    await assert.rejects(verifyHostKey(hop({ knownHostsFiles: [file] }), ecdsa.blob, undefined), isTargetError(/not known yet and nobody can be asked here/));
    const ask = prompter(true);
    await assert.rejects(
      verifyHostKey(hop({ knownHostsFiles: [file], strictHostKeyChecking: 'yes' }), ecdsa.blob, ask),
      isTargetError(/StrictHostKeyChecking is yes.*ssh-keyscan -p 2222 127\.0\.0\.1/),
    );
    assert.equal(ask.asked.length, 0);
    await verifyHostKey(hop({ knownHostsFiles: [file], strictHostKeyChecking: 'accept-new' }), ecdsa.blob, undefined);
    assert.equal(checkHostKey({ host: '127.0.0.1', port: 2222, key: ecdsa.blob, files: [file] }).status, 'trusted');
  });

  test('a revoked key is refused; HostKeyAlias is the name looked up', async () => {
    const file = knownHosts(`@revoked * ${rsa.line}\ncluster-login ${ecdsa.line}\n`);
    await assert.rejects(verifyHostKey(hop({ knownHostsFiles: [file] }), rsa.blob, prompter(true)), isTargetError(/is marked @revoked in .* line 1/));
    await verifyHostKey(hop({ knownHostsFiles: [file], hostKeyAlias: 'cluster-login' }), ecdsa.blob, undefined);
  });
});
