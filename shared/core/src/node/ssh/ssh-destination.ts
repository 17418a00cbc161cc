/**
 * Where to connect, as people write it: `host`, `user@host`, `host:port`,
 * `user@[::1]:2222`, or `ssh://user@host:port` (the forms of `ssh -J` and
 * ProxyJump). The host may be an ssh_config alias.
 */
import { FerryError } from '../../errors.js';

export interface SshDestination {
  host: string;
  user?: string;
  port?: number;
}

export function parseSshDestination(text: string): SshDestination {
  const trimmed = text.trim();
  const withoutScheme = trimmed.startsWith('ssh://') ? trimmed.slice('ssh://'.length).replace(/\/$/, '') : trimmed;
  // The user name may itself hold an '@' (user@realm@host): the host starts after the last one.
  const at = withoutScheme.lastIndexOf('@');
  const user = at >= 0 ? withoutScheme.slice(0, at) : undefined;
  const hostPort = at >= 0 ? withoutScheme.slice(at + 1) : withoutScheme;
  const { host, port } = splitHostPort(hostPort, text);
  if (host === '' || user === '') throw new FerryError('target', `"${text}" is not an SSH destination; expected [user@]host[:port]`);
  return { host, ...(user !== undefined && { user }), ...(port !== undefined && { port }) };
}

function splitHostPort(text: string, original: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) return { host: bracketed[1]!, ...portOf(bracketed[2], original) };
  // Several colons without brackets: a bare IPv6 address, no port.
  const colons = text.split(':').length - 1;
  if (colons !== 1) return { host: text };
  const [host, port] = text.split(':');
  return { host: host!, ...portOf(port, original) };
}

function portOf(text: string | undefined, original: string): { port?: number } {
  if (text === undefined) return {};
  return { port: parsePort(text, `the port in "${original}"`) };
}

export function parsePort(text: string, what: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65_535)) throw new FerryError('target', `${what} must be a number from 1 to 65535, not "${text}"`);
  return port;
}

/** `[host]:port` when the port is not 22, as OpenSSH names hosts in known_hosts and messages. */
export function hostPortName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}
