/**
 * What to do with the host key a server presents, following the user's
 * StrictHostKeyChecking: a known key connects, a changed or revoked key never
 * does, and an unknown key is asked about (or refused, or accepted, per the
 * setting). Accepted keys are remembered in the user's known_hosts file.
 */
import { FerryError } from '../../errors.js';
import { addKnownHost, checkHostKey, fingerprintOf, keyTypeOf, type HostKeyCheck } from './known-hosts.js';
import type { ResolvedHost } from './ssh-config.js';
import { hostPortName } from './ssh-destination.js';
import type { SshPrompter } from './ssh-prompter.js';

/** Where a host's key is recorded: HostKeyAlias stands alone (no port), as in OpenSSH. */
export function hostKeyName(hop: ResolvedHost): { host: string; port: number } {
  return hop.hostKeyAlias ? { host: hop.hostKeyAlias, port: 22 } : { host: hop.host, port: hop.port };
}

/** Resolves when the key may be used; otherwise a 'target' error that says what to do. */
export async function verifyHostKey(hop: ResolvedHost, key: Buffer, prompter: SshPrompter | undefined): Promise<void> {
  const { host, port } = hostKeyName(hop);
  const check = checkHostKey({ host, port, key, files: [...hop.knownHostsFiles, ...hop.globalKnownHostsFiles] });
  const name = hostPortName(host, port);
  const offered = `${keyTypeOf(key)} ${fingerprintOf(key)}`;
  switch (check.status) {
    case 'trusted':
      return;
    case 'revoked':
      throw new FerryError('target', `the host key of ${name} (${offered}) is marked @revoked in ${check.line!.file} line ${check.line!.line}; Ferry will not connect to it`);
    case 'changed':
      throw changedKeyError(name, offered, check);
    case 'unknown':
      return decideUnknownKey(hop, key, prompter, { name, host, port, offered, check });
  }
}

function changedKeyError(name: string, offered: string, check: HostKeyCheck): FerryError {
  const old = check.line!;
  return new FerryError(
    'target',
    `the host key of ${name} has CHANGED (the server now offers ${offered}; ${old.file} line ${old.line} has ${old.fingerprint}). ` +
      `It may be an attack, or the server was reinstalled; if you trust the new key, remove the old line ${old.line} from ${old.file} ` +
      `(ssh-keygen -R '${name}' -f ${old.file}) and connect again. Ferry did not connect.`,
  );
}

interface UnknownKey {
  name: string;
  host: string;
  port: number;
  offered: string;
  check: HostKeyCheck;
}

async function decideUnknownKey(hop: ResolvedHost, key: Buffer, prompter: SshPrompter | undefined, unknown: UnknownKey): Promise<void> {
  const { name, host, port, offered, check } = unknown;
  // A host we know under another key type presenting a new type is suspicious: always ask.
  const otherTypes = check.otherKeys.length > 0;
  const policy = hop.strictHostKeyChecking;
  if (policy === 'yes') {
    throw new FerryError(
      'target',
      `the host key of ${name} (${offered}) is not in ${hop.knownHostsFiles[0] ?? 'a known_hosts file'} and StrictHostKeyChecking is yes; ` +
        `check the fingerprint with the cluster's administrators, then add the key (ssh-keyscan ${port === 22 ? '' : `-p ${port} `}${host} >> ~/.ssh/known_hosts)`,
    );
  }
  if ((policy === 'accept-new' || policy === 'no') && !otherTypes) {
    remember(hop, host, port, key);
    return;
  }
  if (!prompter) {
    throw new FerryError(
      'target',
      `the host key of ${name} (${offered}) is not known yet and nobody can be asked here; ` +
        `connect once with ssh ${port === 22 ? '' : `-p ${port} `}${hop.user}@${hop.host} to check and accept it, or start the connection from a Ferry client`,
    );
  }
  const accepted = await prompter.unknownHostKey({ host, port, keyType: keyTypeOf(key), fingerprint: fingerprintOf(key) });
  if (!accepted) throw new FerryError('target', `the host key of ${name} (${offered}) was not accepted; Ferry did not connect`);
  remember(hop, host, port, key);
}

function remember(hop: ResolvedHost, host: string, port: number, key: Buffer): void {
  // With `UserKnownHostsFile none` there is nowhere to keep it: trusted for this connection only.
  const file = hop.knownHostsFiles[0];
  if (file) addKnownHost(file, host, port, key, { hash: hop.hashKnownHosts });
}
