/** What the Galata scenarios share: notebooks on the server, the Run dialog, the side panel. */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

export const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const serverRoot = process.env.JUPYTERLAB_GALATA_ROOT_DIR ?? '';

/** A step that prints a timestamped line twice a second for up to five minutes. */
export const TICKING = [
  { source: 'import time\nfor i in range(600):\n    print(f"tick {i} {time.time():.3f}", flush=True)\n    time.sleep(0.5)', tags: ['step:wait'] },
];

/** Copies examples/NAME into the test's folder on the Jupyter server and opens it. */
export async function openExample(page: IJupyterLabPageFixture, tmpPath: string, example: string, as = example): Promise<string> {
  const path = `${tmpPath}/${as}`;
  await page.contents.uploadFile(join(repoRoot, 'examples', example), path);
  await page.notebook.openByPath(path);
  await page.notebook.activate(as);
  return path;
}

/** Writes a notebook of code cells (source, tags) to the server and opens it. */
export async function openNotebook(
  page: IJupyterLabPageFixture,
  path: string,
  cells: Array<{ source: string; tags?: string[] }>,
): Promise<void> {
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: cells.map((cell) => ({ cell_type: 'code', source: cell.source, metadata: cell.tags ? { tags: cell.tags } : {}, outputs: [], execution_count: null })),
  };
  await page.contents.uploadContent(JSON.stringify(notebook), 'text', path);
  await page.notebook.openByPath(path);
  await page.notebook.activate(path.split('/').pop()!);
}

/** The notebook as saved on the server's disk. */
export function notebookOnDisk(path: string): { cells: Array<{ metadata: { tags?: string[] } }> } {
  return JSON.parse(readFileSync(join(serverRoot, path), 'utf8'));
}

/** Run on cluster from the notebook toolbar: target, parameters, Run; returns the new run's id. */
export async function runOnCluster(
  page: IJupyterLabPageFixture,
  options: { target: string; mode?: 'script' | 'notebook'; parameters?: Record<string, string>; sweeps?: Record<string, string> },
): Promise<string> {
  await page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="ferry-run-on-cluster"]').first().click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-FerryRunForm')).toBeVisible();
  await dialog.locator('select[name="target"]').selectOption(options.target);
  if (options.mode) await dialog.locator('select[name="mode"]').selectOption(options.mode);
  for (const [name, value] of Object.entries(options.parameters ?? {})) {
    await dialog.locator(`[name="param-${name}"]`).fill(value);
  }
  for (const [name, values] of Object.entries(options.sweeps ?? {})) {
    await dialog.locator(`[name="sweep-${name}"]`).fill(values);
  }
  await dialog.getByRole('button', { name: 'Run on cluster' }).click();
  await expect(dialog).toHaveCount(0);
  const selected = page.locator('.jp-FerryRun.jp-mod-selected');
  await expect(selected).toBeVisible();
  return (await selected.getAttribute('data-run-id'))!;
}

export function runRow(page: IJupyterLabPageFixture, runId: string) {
  return page.locator(`.jp-FerryRun[data-run-id="${runId}"]`);
}

/** The `ferry` command line, against the same server the page uses (FERRY_HOME from the environment). */
export function ferryCli(args: string[]): string {
  const result = spawnSync('node', [join(repoRoot, 'server/bin/ferry.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`ferry ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** `ferry ARGS` without blocking the test's event loop (a sweep run with --wait takes a while). */
export async function ferryCliAsync(args: string[], timeout = 240_000): Promise<string> {
  const { stdout } = await promisify(execFile)('node', [join(repoRoot, 'server/bin/ferry.js'), ...args], { encoding: 'utf8', timeout });
  return stdout;
}

/**
 * Fails, naming what is missing and how to get it, when the Python that runs
 * the local target's steps cannot import one of `modules` (import name → pip
 * package). scripts/jupyterlab-e2e.sh writes FERRY_PYTHON into the target;
 * without it the target runs python3. A test of a notebook that needs them
 * must not pass by skipping where they are absent.
 */
export function expectStepPythonHas(modules: Record<string, string>): void {
  const python = process.env.FERRY_PYTHON || 'python3';
  const missing = Object.entries(modules).filter(([module]) => spawnSync(python, ['-c', `import ${module}`]).status !== 0);
  if (missing.length === 0) return;
  const names = missing.map(([module]) => module).join(', ');
  const packages = missing.map(([, pip]) => pip).join(' ');
  throw new Error(`the step Python ${python} lacks ${names}: run 'bash scripts/python-env.sh' (it installs scripts/requirements-dev.txt), or ${python} -m pip install ${packages}`);
}

/** Expects the metrics view to draw a chart titled `metric` on its canvas, with `points` points in the series below it. */
export async function expectChartWithPoints(metrics: Locator, metric: string, points: number): Promise<void> {
  const card = metrics.locator('.ferry-chart-card').filter({ has: metrics.page().locator('.ferry-chart-title', { hasText: new RegExp(`^${metric}$`) }) });
  await expect(card.locator('.uplot canvas').first(), `a chart of ${metric}`).toBeVisible();
  await expect(card.locator('.ferry-series-summary tbody tr td:last-child'), `the points of ${metric}`).toHaveText([String(points)]);
}
