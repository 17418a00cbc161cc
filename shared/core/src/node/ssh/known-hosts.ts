/**
 * known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): is this host key
 * the one we have on record for this host? Handles plain and `[host]:port`
 * names, comma lists and wildcard patterns, hashed names (`|1|salt|hash`,
 * HMAC-SHA1), and `@revoked` lines. `@cert-authority` lines are ignored with
 * a note: Ferry does not verify host certificates.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostPortName } from './ssh-destination.js';
import { matchesPatternList } from './host-patterns.js';

export type HostKeyStatus = 'trusted' | 'unknown' | 'changed' | 'revoked';

/** A line of a known_hosts file, for messages. */
export interface KnownHostLine {
  file: string;
  line: number;
  keyType: string;
  fingerprint: string;
}

export interface HostKeyCheck {
  status: HostKeyStatus;
  /** trusted: the line that vouches for the key; changed: the line with the old key; revoked: the @revoked line. */
  line?: KnownHostLine;
  /** Keys of other types on record for this host (a reason to distrust an "unknown" key). */
  otherKeys: KnownHostLine[];
  notes: string[];
}

export interface HostKeyQuery {
  /** The name OpenSSH looks up: the host name, or HostKeyAlias. */
  host: string;
  /** Names other than 22 are looked up as `[host]:port`. */
  port: number;
  /** The server's public host key in SSH wire format (what ssh2's hostVerifier receives). */
  key: Buffer;
  files: readonly string[];
}

interface Entry extends KnownHostLine {
  marker: 'revoked' | 'cert-authority' | undefined;
  hosts: string;
  blob: Buffer;
}

export function checkHostKey(query: HostKeyQuery): HostKeyCheck {
  const name = knownHostsName(query.host, query.port);
  const keyType = keyTypeOf(query.key);
  const notes: string[] = [];
  const entries = query.files.flatMap((file) => readEntries(file)).filter((entry) => hostsMatch(entry.hosts, name));
  for (const entry of entries.filter((e) => e.marker === 'cert-authority')) {
    notes.push(`${entry.file}:${entry.line}: @cert-authority lines are not supported by Ferry and were ignored`);
  }
  const plain = entries.filter((entry) => entry.marker === undefined);
  const revoked = entries.find((entry) => entry.marker === 'revoked' && entry.blob.equals(query.key));
  if (revoked) return { status: 'revoked', line: lineOf(revoked), otherKeys: [], notes };
  const same = plain.find((entry) => entry.blob.equals(query.key));
  if (same) return { status: 'trusted', line: lineOf(same), otherKeys: [], notes };
  const old = plain.find((entry) => entry.keyType === keyType);
  if (old) return { status: 'changed', line: lineOf(old), otherKeys: [], notes };
  return { status: 'unknown', otherKeys: plain.map(lineOf), notes };
}

/** The key types on record for a host, so the handshake can ask for one of those first (as OpenSSH does). */
export function knownHostKeyTypes(host: string, port: number, files: readonly string[]): string[] {
  const name = knownHostsName(host, port);
  const types = files
    .flatMap((file) => readEntries(file))
    .filter((entry) => entry.marker === undefined && hostsMatch(entry.hosts, name))
    .map((entry) => entry.keyType);
  return [...new Set(types)];
}

/**
 * Records a key the user accepted: one line appended to `file`, hashed when
 * `hash` (HashKnownHosts). A new file is created 0600 in a 0700 directory.
 */
export function addKnownHost(file: string, host: string, port: number, key: Buffer, options: { hash?: boolean } = {}): void {
  const name = knownHostsName(host, port);
  const hostField = options.hash ? hashHostName(name) : name;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const separator = endsWithoutNewline(file) ? '\n' : '';
  appendFileSync(file, `${separator}${hostField} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}

/** `SHA256:` and the unpadded base64 digest, as `ssh-keygen -l` and `ssh` print it. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The type name a wire-format key starts with: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ... */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const length = key.readUInt32BE(0);
  return length > 0 && 4 + length <= key.length ? key.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

/** Host names are case-insensitive; OpenSSH lowercases them before matching or hashing. */
function knownHostsName(host: string, port: number): string {
  return hostPortName(host.toLowerCase(), port);
}

function readEntries(file: string): Entry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return []; // a missing known_hosts file knows no hosts
  }
  const entries: Entry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const entry = parseEntry(raw, file, index + 1);
    if (entry) entries.push(entry);
  });
  return entries;
}

/** `[@marker] hosts keytype base64 [comment]`; null for blank, comment and malformed lines (OpenSSH skips them too). */
function parseEntry(raw: string, file: string, line: number): Entry | null {
  const fields = raw.trim().split(/\s+/);
  if (fields[0] === '' || fields[0]!.startsWith('#')) return null;
  let marker: Entry['marker'];
  if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
    marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
    fields.shift();
  } else if (fields[0]!.startsWith('@')) {
    return null;
  }
  const [hosts, keyType, base64] = fields;
  if (!hosts || !keyType || !base64 || !/^[A-Za-z0-9+/]+=*$/.test(base64)) return null;
  const blob = Buffer.from(base64, 'base64');
  // The blob names its own type; a line whose two types disagree is corrupt.
  if (keyTypeOf(blob) !== keyType) return null;
  return { marker, hosts, blob, file, line, keyType, fingerprint: fingerprintOf(blob) };
}

function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return matchesPatternList(name, hosts.split(','));
}

function hashHostName(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

function lineOf(entry: Entry): KnownHostLine {
  return { file: entry.file, line: entry.line, keyType: entry.keyType, fingerprint: entry.fingerprint };
}

function endsWithoutNewline(file: string): boolean {
  try {
    if (statSync(file).size === 0) return false;
    return !readFileSync(file, 'utf8').endsWith('\n');
  } catch {
    return false;
  }
}
