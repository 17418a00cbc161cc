/** Comparing runs in the workbench: a sweep run from the CLI, its runs selected in the sidebar, the compare view read back. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Frame, Page } from 'playwright-core';
import { repoRoot, waitFor, webviewFrame } from './workbench.js';

/** Runs a sweep with the `ferry` CLI against the workbench's own server (same FERRY_HOME); with `wait`, until it ends. */
export async function runSweepFromCli(
  ferryHome: string,
  notebook: string,
  target: string,
  sweeps: string[],
  parameters: string[] = [],
  { wait = true } = {},
): Promise<void> {
  const python = existsSync(join(repoRoot, '.venv/bin/python')) ? join(repoRoot, '.venv/bin/python') : 'python3';
  const args = [join(repoRoot, 'server/bin/ferry.js'), 'run', notebook, '--target', target, ...(wait ? ['--wait'] : [])];
  for (const sweep of sweeps) args.push('--sweep', sweep);
  for (const parameter of parameters) args.push('-p', parameter);
  await promisify(execFile)(process.execPath, args, { env: { ...process.env, FERRY_HOME: ferryHome, FERRY_PYTHON: python }, timeout: 300_000 });
}

/**
 * Selects the sidebar rows of a sweep's points (their labels name `swept`),
 * first to last with Shift, and chooses Compare Runs from their context menu.
 */
export async function compareSelectedPoints(page: Page, swept: string, expected: number): Promise<Frame> {
  const points = page.locator(`.monaco-list-row[aria-label^="train_pipeline "][aria-label*=" ${swept}="]`);
  // A finished sweep shows collapsed: open it.
  if ((await points.count()) === 0) {
    await page.locator(`.monaco-list-row[aria-label^="train_pipeline sweep "][aria-label*=", ${swept}"]`).first().click();
  }
  await waitFor(`${expected} points in the sidebar`, 30_000, async () => ((await points.count()) === expected ? true : undefined));
  // A plain click selects the first alone; Ctrl+click adds the others (without opening their steps).
  await points.first().click();
  for (let i = 1; i < expected; i++) await points.nth(i).click({ modifiers: ['Control'] });
  const selected = await page.locator('.part.sidebar .monaco-list-row.selected').count();
  if (selected !== expected) throw new Error(`${selected} runs selected in the sidebar, not ${expected}`);
  await points.nth(1).click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  await menu.waitFor();
  const entry = page.locator('.context-view .action-label', { hasText: 'Compare Runs' });
  if (!(await entry.isVisible())) throw new Error(`no Compare Runs in the context menu: ${(await menu.locator('.action-label').allTextContents()).join(' | ')}`);
  // Monaco's menus act on mouse-up after a hover; choosing with the keyboard is what works every time.
  await entry.hover();
  await page.keyboard.press('Enter');
  return webviewFrame(page, '.ferry-compare-table');
}

/** The columns of the compare table's header, as `parameter:NAME`, `metric:NAME`, `fact:NAME`. */
export async function compareColumns(frame: Frame): Promise<string[]> {
  return frame.locator('.ferry-compare-table thead tr:first-child th[data-column]').evaluateAll((ths) => ths.map((th) => (th as HTMLElement).dataset.column ?? ''));
}

/** The values of one column in the table's body (the runs below the pinned base run), top to bottom. */
export async function bodyColumnValues(frame: Frame, column: string): Promise<string[]> {
  return frame.locator(`.ferry-compare-table tbody tr[data-run] td[data-column="${column}"]`).allTextContents();
}

/** The series a chart's legend names (the x axis left out). */
export async function chartLegend(frame: Frame, metric: string): Promise<string[]> {
  const chart = frame.locator(`.ferry-chart[data-metric="${metric}"]`);
  await chart.locator('.uplot canvas').waitFor({ timeout: 30_000 });
  const labels = await chart.locator('.u-legend .u-series .u-label').allTextContents();
  return labels.slice(1);
}

/** Presses the compare action on a sweep's sidebar row (it compares the sweep's runs). */
export async function compareSweep(page: Page, pipeline: string): Promise<Frame> {
  const sweep = page.locator(`.monaco-list-row[aria-label^="${pipeline} sweep "]`).first();
  await sweep.hover();
  await sweep.locator('a.action-label[aria-label="Compare Runs"]').click();
  return webviewFrame(page, '.ferry-compare-table');
}

/** How many points a chart of the compare view draws (every run's line together). */
export async function chartPoints(frame: Frame, metric: string): Promise<number> {
  return Number(await frame.locator(`.ferry-chart[data-metric="${metric}"]`).getAttribute('data-points', { timeout: 30_000 }));
}

/**
 * Opens the parallel coordinates under the runs table and drags along an
 * axis (the `index`-th of `axes`) from its bottom up to its middle, as a user
 * brushes the low values. The axes sit evenly between the chart's side
 * margins (60 and 90 px, see shared/ui's explore/options.ts).
 */
export async function brushParallelAxis(frame: Frame, index: number, axes: number): Promise<void> {
  const box = (await frame.locator('.ferry-compare-explore-chart canvas').first().boundingBox())!;
  const top = 50;
  const bottom = 30;
  const x = box.x + 60 + ((box.width - 60 - 90) * index) / (axes - 1);
  const page = frame.page();
  await page.mouse.move(x, box.y + box.height - bottom - 1);
  await page.mouse.down();
  await page.mouse.move(x, box.y + top + (box.height - top - bottom) * 0.75, { steps: 5 });
  await page.mouse.move(x, box.y + top + (box.height - top - bottom) * 0.5, { steps: 5 });
  await page.mouse.up();
}
