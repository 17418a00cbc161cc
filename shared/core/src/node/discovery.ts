/**
 * The discovery file tells every client (CLI, VS Code, JupyterLab's server
 * extension) where this user's Ferry server listens and which token it wants.
 * It holds a secret, so it is created 0600 and replaced atomically.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ServerDiscovery {
  url: string;
  port: number;
  token: string;
  pid: number;
  version: string;
  startedAt: string;
}

export function readDiscovery(file: string): ServerDiscovery | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<ServerDiscovery>;
    if (typeof value.url === 'string' && typeof value.token === 'string' && typeof value.pid === 'number') {
      return value as ServerDiscovery;
    }
  } catch {
    // A torn or hand-edited file: treat it as absent, the next server rewrites it.
  }
  return undefined;
}

export function writeDiscovery(file: string, discovery: ServerDiscovery): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(discovery, null, 2) + '\n', { mode: 0o600, flag: 'w' });
  renameSync(temp, file);
}

/** Removes the file only if it still describes the server with this pid. */
export function removeDiscovery(file: string, pid: number): void {
  if (readDiscovery(file)?.pid === pid) rmSync(file, { force: true });
}

/** 256 bits from the OS's CSPRNG, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
