/**
 * Finds this user's Ferry server, or starts one: how the CLI (and later the
 * IDEs) get a connected client without the user managing a daemon.
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerryClient, FerryError } from '@ferry/core';
import { ferryPaths, readDiscovery, type FerryPaths } from '@ferry/core/node';

const START_TIMEOUT_MS = 20_000;

/** The script a client runs to start the server. */
export const serverEntryPath = fileURLToPath(new URL('./main.js', import.meta.url));

export async function connect(options: { paths?: FerryPaths; start?: boolean } = {}): Promise<FerryClient> {
  const paths = options.paths ?? ferryPaths();
  const running = await healthyClient(paths);
  if (running) return running;
  if (options.start === false) {
    throw new FerryError('target', `no Ferry server is running (no live server in ${paths.discoveryFile})`);
  }
  return start(paths);
}

async function healthyClient(paths: FerryPaths): Promise<FerryClient | undefined> {
  const discovery = readDiscovery(paths.discoveryFile);
  if (!discovery) return undefined;
  const client = new FerryClient({ baseUrl: discovery.url, token: discovery.token });
  try {
    const health = await client.health();
    return health.pid === discovery.pid ? client : undefined;
  } catch {
    return undefined; // a stale file from a server that died
  }
}

async function start(paths: FerryPaths): Promise<FerryClient> {
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  const logFile = join(paths.dataDir, 'server.log');
  const log = openSync(logFile, 'a', 0o600);
  const logStart = fstatSync(log).size;
  const child = spawn(process.execPath, [serverEntryPath], {
    detached: true, // outlives this CLI: the next command finds it
    stdio: ['ignore', log, log],
    env: process.env,
  });
  closeSync(log);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  child.unref();
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const client = await healthyClient(paths);
    if (client) return client;
    if (exited !== null) {
      // Another client may have started one first; use it if so.
      const other = await healthyClient(paths);
      if (other) return other;
      // Its own last words (a malformed config.json, a port in use) say more than the status does.
      const said = lastLogLines(logFile, logStart);
      throw new FerryError('target', `the Ferry server exited with status ${exited} while starting${said ? `:\n${said}\n` : '; '}see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new FerryError('target', `the Ferry server did not start within ${START_TIMEOUT_MS / 1000} s; see ${logFile}`);
}

/** The last lines the server wrote to its log since `from` (at most 2 KiB of them). */
function lastLogLines(logFile: string, from: number): string {
  try {
    const text = readFileSync(logFile).subarray(from).toString('utf8');
    return text.trim().split('\n').slice(-8).join('\n').slice(-2048);
  } catch {
    return '';
  }
}
