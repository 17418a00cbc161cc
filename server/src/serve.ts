/**
 * Runs the per-user server: opens the engine (which resumes unfinished runs),
 * listens on loopback with a fresh token, and publishes both in the discovery
 * file. Stopping it leaves running steps alone; the next server picks them up.
 */
import type { AddressInfo } from 'node:net';
import { FerryError } from '@ferry/core';
import { RunEngine, ferryPaths, newToken, readDiscovery, removeDiscovery, writeDiscovery, type FerryPaths } from '@ferry/core/node';
import { createApp } from './app.js';
import { SERVER_VERSION } from './version.js';

export interface RunningServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  paths?: FerryPaths;
  port?: number;
  /** Write the discovery file (off for embedded use, e.g. tests of the app alone). */
  publish?: boolean;
}

export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const paths = options.paths ?? ferryPaths();
  const existing = readDiscovery(paths.discoveryFile);
  if (options.publish !== false && existing && existing.pid !== process.pid && isAlive(existing.pid)) {
    throw new FerryError('conflict', `a Ferry server already runs for this user (pid ${existing.pid}, ${existing.url})`);
  }
  const engine = await RunEngine.open({ paths });
  const token = newToken();
  const server = createApp({ engine, token, version: SERVER_VERSION });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the token is the only guard, so nothing off this machine may even connect.
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  if (options.publish !== false) {
    writeDiscovery(paths.discoveryFile, {
      url,
      port,
      token,
      pid: process.pid,
      version: SERVER_VERSION,
      startedAt: new Date().toISOString(),
    });
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    token,
    close() {
      closing ??= (async () => {
        if (options.publish !== false) removeDiscovery(paths.discoveryFile, process.pid);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await engine.close();
      })();
      return closing;
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
