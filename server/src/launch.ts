/**
 * Finds this user's Ferry server, or starts one: how the CLI (and later the
 * IDEs) get a connected client without the user managing a daemon.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
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
      throw new FerryError('target', `the Ferry server exited with status ${exited} while starting; see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new FerryError('target', `the Ferry server did not start within ${START_TIMEOUT_MS / 1000} s; see ${logFile}`);
}
