/**
 * What the server and CLI tests share: a private FERRY_HOME per test, a real
 * server process started the way clients start it, and bounded waiting.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerryClient, FerryError } from '@ferry/core';
import { ferryPaths, readDiscovery } from '@ferry/core/node';

/** server/dist/testing → the repository root. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const examplePath = (name: string) => join(repoRoot, 'examples', name);
export const ferryBin = join(repoRoot, 'server', 'bin', 'ferry.js');
const serverMain = join(repoRoot, 'server', 'dist', 'main.js');

/** Python for the steps: the project's venv when set up, as CI does. */
export const python =
  process.env.FERRY_PYTHON ?? (existsSync(join(repoRoot, '.venv/bin/python')) ? join(repoRoot, '.venv/bin/python') : 'python3');

export interface TestHome {
  dir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function testHome(): TestHome {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-test-'));
  const env: NodeJS.ProcessEnv = { ...process.env, FERRY_HOME: dir, FERRY_PYTHON: python };
  delete env.FERRY_DATA_DIR;
  return {
    dir,
    env,
    cleanup() {
      const discovery = readDiscovery(ferryPaths(env).discoveryFile);
      if (discovery) {
        try {
          process.kill(discovery.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess {
  process: ChildProcess;
  client: FerryClient;
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts `node server/dist/main.js` for `home` and waits for its discovery file. */
export async function startServer(home: TestHome): Promise<ServerProcess> {
  const child = spawn(process.execPath, [serverMain], { env: home.env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const discovery = await waitFor('the server to publish its discovery file', () => {
    const found = readDiscovery(ferryPaths(home.env).discoveryFile);
    return found?.pid === child.pid ? found : undefined;
  });
  return {
    process: child,
    client: new FerryClient({ baseUrl: discovery.url, token: discovery.token }),
    url: discovery.url,
    token: discovery.token,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls `probe` until it returns a value, failing with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `ferry` command line for `home`. */
export function ferry(home: TestHome, args: string[], options: { cwd?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [ferryBin, ...args], {
    env: home.env,
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The FerryError a request failed with (failing the test when it did not fail). */
export async function rejection(promise: Promise<unknown>): Promise<FerryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FerryError) return error;
    throw new Error(`expected a FerryError, got ${String(error)}`);
  }
  throw new Error('expected the request to fail');
}
