/**
 * Opening one SSH connection to a resolved host, through its ProxyJump chain:
 * connect to the first hop, open a `direct-tcpip` channel from it to the next
 * hop and run the next SSH session over that channel, and so on. Every hop
 * checks its own host key (under its own name) and authenticates on its own.
 * Failures become 'target' errors that name the hop and what to check.
 */
import type { Duplex } from 'node:stream';
import ssh2, { type Algorithms, type Client as ClientType, type ClientChannel, type ServerHostKeyAlgorithm } from 'ssh2';
import { FerryError } from '../../errors.js';
import { hostKeyName, verifyHostKey } from './host-key-policy.js';
import { knownHostKeyTypes } from './known-hosts.js';
import { AuthSequence } from './ssh-auth.js';
import type { ResolvedHost } from './ssh-config.js';
import type { SshPrompter } from './ssh-prompter.js';
import { SetupDeadline } from './setup-deadline.js';

const { Client } = ssh2;
export type SshClient = ClientType;

export interface ConnectOptions {
  prompter: SshPrompter | undefined;
  /** Used when a hop has no ServerAliveInterval of its own. */
  defaultKeepaliveMs: number;
  /** Used when a hop has no ConnectTimeout of its own; excludes time spent waiting on a person. */
  defaultConnectTimeoutMs: number;
}

/** The connected clients, jump hosts first and the destination last. */
export async function openSshChain(destination: ResolvedHost, options: ConnectOptions): Promise<SshClient[]> {
  const hops = [...destination.proxyJump, destination];
  const clients: SshClient[] = [];
  try {
    for (const [index, hop] of hops.entries()) {
      const previous = index > 0 ? { client: clients[index - 1]!, hop: hops[index - 1]! } : undefined;
      const sock = previous ? await forwardThrough(previous.client, previous.hop, hop, options) : undefined;
      clients.push(await connectHop(hop, sock, previous && describeHop(previous.hop), options));
    }
    return clients;
  } catch (error) {
    for (const client of clients.reverse()) client.end();
    throw error;
  }
}

const lastErrors = new WeakMap<SshClient, Error>();

/** The last error ssh2 reported on a connected client (e.g. "Keepalive timeout"), to explain why it dropped. */
export function lastErrorOf(client: SshClient): Error | undefined {
  return lastErrors.get(client);
}

/** "ferry-dev (ferrytest@127.0.0.1:2222)", or "alice@login1:22" when the alias is the host. */
export function describeHop(hop: ResolvedHost): string {
  const address = `${hop.user}@${hop.host}:${hop.port}`;
  return hop.alias === hop.host ? address : `${hop.alias} (${address})`;
}

function connectHop(hop: ResolvedHost, sock: Duplex | undefined, via: string | undefined, options: ConnectOptions): Promise<SshClient> {
  const where = describeHop(hop) + (via ? ` through the jump host ${via}` : '');
  return new Promise<SshClient>((resolve, reject) => {
    const client = new Client();
    // A reason we know better than ssh2's words for it (host key refused, prompt declined).
    let reason: Error | undefined;
    let settled = false;
    const settle = (): void => {
      settled = true;
      deadline.clear();
      client.off('ready', onReady).off('error', onSetupError).off('close', onSetupClose);
      // An ssh2 client must never be without an 'error' listener (Node would throw);
      // from here on its errors are kept to explain a later drop.
      client.on('error', (error) => lastErrors.set(client, error));
    };
    const fail = (error: Error): void => {
      if (settled) return;
      settle();
      client.destroy();
      reject(error);
    };
    const timeoutMs = hop.connectTimeoutMs ?? options.defaultConnectTimeoutMs;
    const deadline = new SetupDeadline(timeoutMs, () =>
      fail(new FerryError('target', `no SSH answer from ${where} within ${seconds(timeoutMs)} (ConnectTimeout); check the host name and port, and the network or VPN`)),
    );
    const auth = new AuthSequence(hop, options.prompter, {
      ask: (question) => deadline.pausedWhile(question),
      abort: (error) => fail(error),
    });

    const onReady = (): void => {
      settle();
      resolve(client);
    };
    const onSetupError = (error: Error & { level?: string }): void => {
      // Agent and signing trouble only skip to the next method; ssh2 goes on by itself.
      if (error.level === 'agent' || /signing/i.test(error.message)) return;
      fail(reason ?? (error.level === 'client-authentication' ? auth.failure() : connectError(error, hop, where)));
    };
    const onSetupClose = (): void => fail(reason ?? new FerryError('target', `${where} closed the connection while it was being set up`));
    client.on('ready', onReady).on('error', onSetupError).on('close', onSetupClose);

    client.connect({
      host: hop.host,
      port: hop.port,
      username: hop.user,
      ...(sock && { sock }),
      authHandler: auth.handler,
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        deadline.pausedWhile(() => verifyHostKey(hop, key, options.prompter)).then(
          () => verify(true),
          (error: Error) => {
            reason = error;
            verify(false);
          },
        );
      },
      algorithms: preferKnownHostKeyTypes(hop),
      keepaliveInterval: hop.serverAliveIntervalMs ?? options.defaultKeepaliveMs,
      keepaliveCountMax: hop.serverAliveCountMax,
      // SetupDeadline replaces ssh2's own timer, which would also run while a person types.
      readyTimeout: 0,
    });
  });
}

/** A `direct-tcpip` channel from a jump host to the next hop, to carry the next SSH session. */
function forwardThrough(jump: SshClient, jumpHop: ResolvedHost, next: ResolvedHost, options: ConnectOptions): Promise<ClientChannel> {
  const failure = (why: string) => new FerryError('target', `the jump host ${describeHop(jumpHop)} could not open a connection to ${next.host}:${next.port}: ${why}`);
  return new Promise((resolve, reject) => {
    const timeoutMs = next.connectTimeoutMs ?? options.defaultConnectTimeoutMs;
    const timer = setTimeout(() => reject(failure(`no answer within ${seconds(timeoutMs)}`)), timeoutMs);
    try {
      // The originator address is informational for the jump host's logs; OpenSSH sends 127.0.0.1 too.
      jump.forwardOut('127.0.0.1', 0, next.host, next.port, (error, channel) => {
        clearTimeout(timer);
        if (error) reject(failure(`${error.message.replace(/^\(SSH\) /, '')} (is ${next.host}:${next.port} reachable from it, and does its sshd allow TCP forwarding?)`));
        else resolve(channel);
      });
    } catch (error) {
      clearTimeout(timer);
      reject(failure((error as Error).message));
    }
  });
}

/**
 * Like OpenSSH, ask first for the host key types already on record for this
 * host: a server with several keys then shows the one we know, rather than
 * one we would have to call "unknown".
 */
function preferKnownHostKeyTypes(hop: ResolvedHost): Algorithms | undefined {
  const { host, port } = hostKeyName(hop);
  const known = knownHostKeyTypes(host, port, [...hop.knownHostsFiles, ...hop.globalKnownHostsFiles]);
  const preferred = known.flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]));
  const usable = preferred.filter((type): type is ServerHostKeyAlgorithm => (SUPPORTED_HOST_KEY_TYPES as readonly string[]).includes(type));
  if (usable.length === 0) return undefined;
  // ssh2 applies these in order: removing, then prepending, moves them to the front of its default list.
  return { serverHostKey: { append: [], remove: usable, prepend: usable } };
}

const SUPPORTED_HOST_KEY_TYPES: readonly ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

function connectError(error: Error & { code?: string; level?: string }, hop: ResolvedHost, where: string): FerryError {
  switch (error.code) {
    case 'ECONNREFUSED':
      return new FerryError('target', `cannot connect to ${where}: connection refused. Is sshd running there, and is ${hop.port} the right port?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FerryError('target', `cannot connect to ${where}: the host name "${hop.host}" does not resolve. Check the host (or HostName in ~/.ssh/config) and your DNS or VPN`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new FerryError('target', `cannot reach ${where} (${error.code}). Check the network or VPN, and any firewall in between`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new FerryError('target', `${where} dropped the connection during the SSH handshake (${error.code}); it may limit connections, or this is not an SSH server`);
  }
  if (error.level === 'handshake' || error.level === 'protocol') {
    return new FerryError('target', `the SSH handshake with ${where} failed: ${error.message}`);
  }
  return new FerryError('target', `cannot connect to ${where}: ${error.message}`);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
