/**
 * The real VS Code workbench for end-to-end tests: code-server (from the
 * cache scripts/code-server.sh fills) with a private user-data and
 * extensions folder, the built .vsix installed, a copy of an example
 * notebook folder open, driven by playwright-core in Debian's chromium.
 * Everything it starts it stops, by process id.
 */
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

/** vscode-ext/dist/e2e → the repository root. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const extensionRoot = join(repoRoot, 'vscode-ext');
export const vsixPath = join(extensionRoot, 'ferry-vscode.vsix');
export const artifactsDir = join(extensionRoot, 'e2e-artifacts');
const CHROMIUM = '/usr/bin/chromium';

export interface WorkbenchOptions {
  /** Example files copied into the workspace folder. */
  examples: string[];
  /** Ferry's config.json for this workbench's private FERRY_HOME. */
  ferryConfig?: unknown;
}

export interface Workbench {
  page: Page;
  folder: string;
  ferryHome: string;
  /** VS Code's user data folder (settings, logs). */
  userData: string;
  /** Saves a screenshot into the artifacts folder. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Whether this machine can run the workbench tests, and why not. */
export function workbenchUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium, or run scripts/code-server.sh as root)`;
  if (!existsSync(vsixPath)) return `${vsixPath} is missing (npm run package -w vscode-ext)`;
  return undefined;
}

/** The code-server executable, installed into the cache on first use. */
export function codeServerBin(): string {
  if (process.env.FERRY_CODE_SERVER) return process.env.FERRY_CODE_SERVER;
  const out = execFileSync('bash', [join(repoRoot, 'scripts/code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').at(-1)!;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function startWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const bin = codeServerBin();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-vscode-e2e-'));
  const userData = join(dir, 'user-data');
  const extensions = join(dir, 'extensions');
  const folder = join(dir, 'workspace');
  const ferryHome = join(dir, 'ferry-home');
  for (const path of [join(userData, 'User'), extensions, folder, ferryHome]) mkdirSync(path, { recursive: true });
  for (const name of options.examples) cpSync(join(repoRoot, 'examples', name), join(folder, name));
  if (options.ferryConfig) writeFileSync(join(ferryHome, 'config.json'), JSON.stringify(options.ferryConfig, null, 2));
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'files.autoSave': 'off',
      'notebook.confirmDeleteRunningCell': false,
      'ferry.cliPath': join(repoRoot, 'server', 'bin', 'ferry.js'),
    }),
  );
  const common = ['--extensions-dir', extensions, '--user-data-dir', userData];
  await promisify(execFile)(bin, ['--install-extension', vsixPath, ...common]);

  const env: NodeJS.ProcessEnv = { ...process.env, FERRY_HOME: ferryHome, FERRY_PYTHON: stepPython() };
  delete env.FERRY_DATA_DIR;
  const port = await freePort();
  const serverLog = join(dir, 'code-server.log');
  const server: ChildProcess = spawn(
    bin,
    ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...common, folder],
    // Its own process group, so stopping it also stops the extension host it spawned.
    { env, detached: true, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const url = `http://127.0.0.1:${port}`;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    if (server.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    stopFerryServer(ferryHome);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('code-server to answer', 60_000, async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        // performance.memory in pages and webviews, unrounded: the log view's heap is measured.
        '--enable-precise-memory-info'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    void serverLog;
    return {
      page,
      folder,
      ferryHome,
      userData,
      async screenshot(name) {
        mkdirSync(artifactsDir, { recursive: true });
        const path = join(artifactsDir, `${name}.png`);
        await page.screenshot({ path, fullPage: true });
        return path;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The Python that runs the local target's steps in these tests (the workbench's FERRY_PYTHON): the project's .venv when set up. */
export function stepPython(): string {
  const venv = join(repoRoot, '.venv/bin/python');
  return existsSync(venv) ? venv : 'python3';
}

/**
 * Fails, naming what is missing and how to get it, when the step Python
 * cannot import one of `modules` (import name → pip package). A test of a
 * notebook that needs them must not pass by skipping where they are absent.
 */
export function assertStepPythonHas(modules: Record<string, string>): void {
  const python = stepPython();
  const missing = Object.entries(modules).filter(([module]) => spawnSync(python, ['-c', `import ${module}`]).status !== 0);
  if (missing.length === 0) return;
  const names = missing.map(([module]) => module).join(', ');
  const packages = missing.map(([, pip]) => pip).join(' ');
  throw new Error(`the step Python ${python} lacks ${names}: run 'bash scripts/python-env.sh' (it installs scripts/requirements-dev.txt), or ${python} -m pip install ${packages}`);
}

/** The Ferry server the extension started for this FERRY_HOME, stopped by the pid in its discovery file. */
function stopFerryServer(ferryHome: string): void {
  try {
    const { pid } = JSON.parse(readFileSync(join(ferryHome, 'server.json'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGTERM');
  } catch {
    // none started, or already gone
  }
}

/** Runs a command by its title through the command palette. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Answers the quick pick or input box that is open: types `text` (when given) and accepts. */
export async function answerQuickInput(page: Page, text: string | undefined, expectTitle?: RegExp): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible' });
  if (expectTitle) await page.locator('.quick-input-widget .quick-input-title', { hasText: expectTitle }).waitFor();
  const input = page.locator('.quick-input-widget input.input');
  if (text !== undefined) await input.fill(text);
  await page.keyboard.press('Enter');
}

/** Opens a file of the workspace through Quick Open. */
export async function openFile(page: Page, name: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  // A webview that has the focus may swallow the first key press: try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press('Control+P');
    if (await input.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false)) break;
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // out of a webview's iframe
  }
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** The frame of a webview whose page has an element matching `selector` (webviews nest two iframes deep). */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  return waitFor(`a webview with ${selector}`, timeoutMs, async () => {
    for (const frame of page.frames()) {
      if ((await frame.$(selector).catch(() => null)) !== null) return frame;
    }
    return undefined;
  });
}

export { waitFor };

/** The lines of the extension's own log (its output channel) so far. */
export function extensionLog(userData: string): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'Ferry.log') found.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(userData, 'logs'));
  return found.join('\n');
}
