import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decryptIdentity, loadIdentityFile } from './key-files.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-key-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A key made by ssh-keygen; returns the private key path and the public key blob. */
function generateKey(name: string, passphrase: string, extra: string[] = []): { file: string; publicBlob: Buffer } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file, ...extra]);
  return { file, publicBlob: Buffer.from(readFileSync(`${file}.pub`, 'utf8').split(' ')[1]!, 'base64') };
}

test('an unencrypted key is ready, with its public half', () => {
  const { file, publicBlob } = generateKey('plain', '');
  const identity = loadIdentityFile(file);
  assert.equal(identity.status, 'ready');
  assert.ok(identity.status === 'ready' && identity.publicBlob.equals(publicBlob) && identity.key.isPrivateKey());
});

test('an encrypted key needs its passphrase; its public half is known without it', () => {
  const { file, publicBlob } = generateKey('encrypted', 'correct horse');
  const identity = loadIdentityFile(file);
  assert.equal(identity.status, 'encrypted');
  assert.ok(identity.status === 'encrypted' && identity.publicBlob?.equals(publicBlob), 'from the .pub file');
  unlinkSync(`${file}.pub`);
  const withoutPub = loadIdentityFile(file);
  assert.ok(withoutPub.status === 'encrypted' && withoutPub.publicBlob?.equals(publicBlob), 'from the key file header');
  assert.equal(decryptIdentity(withoutPub.data, 'wrong'), null);
  const key = decryptIdentity(withoutPub.data, 'correct horse');
  assert.ok(key?.isPrivateKey() && key.getPublicSSH().equals(publicBlob));
});

test('missing and unusable files say why', () => {
  assert.equal(loadIdentityFile(join(dir, 'nope')).status, 'missing');
  writeFileSync(join(dir, 'garbage'), 'not a key');
  const garbage = loadIdentityFile(join(dir, 'garbage'));
  assert.equal(garbage.status, 'unusable');
  const { file } = generateKey('pubonly', '');
  const pub = loadIdentityFile(`${file}.pub`);
  assert.ok(pub.status === 'unusable' && /not a private key/.test(pub.reason));
});
