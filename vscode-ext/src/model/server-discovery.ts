/**
 * Finding this user's Ferry server the way every client does: the discovery
 * file (`$FERRY_HOME/server.json`, else `~/.ferry/server.json`) names its URL,
 * token and pid; a server that answers its health check with that pid is the
 * live one. Starting a server is the `ferry` CLI's job (`ferry server start`).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { FerryClient } from '@ferry/core';

export interface Discovery {
  url: string;
  token: string;
  pid: number;
}

export function discoveryFile(env: Record<string, string | undefined>): string {
  const home = env.FERRY_HOME ? env.FERRY_HOME : join(env.HOME || homedir(), '.ferry');
  return join(home, 'server.json');
}

export async function readDiscovery(file: string): Promise<Discovery | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<Discovery>;
    if (typeof value.url === 'string' && typeof value.token === 'string' && typeof value.pid === 'number') {
      return { url: value.url, token: value.token, pid: value.pid };
    }
  } catch {
    // torn or hand-edited: as good as absent
  }
  return undefined;
}

/** A client for the server the file describes, if that server is alive. */
export async function liveClient(file: string): Promise<FerryClient | undefined> {
  const discovery = await readDiscovery(file);
  if (!discovery) return undefined;
  const client = new FerryClient({ baseUrl: discovery.url, token: discovery.token });
  try {
    return (await client.health()).pid === discovery.pid ? client : undefined;
  } catch {
    return undefined;
  }
}

export interface CliCommand {
  /** The program to execute (never through a shell). */
  file: string;
  /** Arguments before the CLI's own (e.g. the script path when the CLI is a `.js` file run by Node). */
  args: string[];
}

/**
 * How to run the `ferry` CLI: a configured path wins; then the workspace's
 * `node_modules/.bin/ferry`; then `ferry` on PATH. A `.js` path runs with Node.
 */
export function cliCommand(configured: string, workspaceBins: readonly string[], nodePath: string): CliCommand {
  const path = configured.trim() || workspaceBins[0] || 'ferry';
  if (configured.trim() && !isAbsolute(path) && path.includes('/')) {
    throw new Error(`ferry.cliPath must be an absolute path or a command name, got '${path}'`);
  }
  return /\.(c|m)?js$/.test(path) ? { file: nodePath, args: [path] } : { file: path, args: [] };
}
