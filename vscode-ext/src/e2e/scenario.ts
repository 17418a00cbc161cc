/** What a user does in the workbench, step by step, shared by the local and the Slurm end-to-end tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { answerQuickInput, openFile, runCommand, waitFor, webviewFrame } from './workbench.js';

/** Opens the notebook and waits for its cells (and Ferry's status bar items on them). */
export async function openNotebook(page: Page, name: string): Promise<void> {
  await openFile(page, name);
  await page.locator('.notebookOverlay .cell-status-item', { hasText: /imports|parameters/ }).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
}

/** The tags of one cell as saved in the file. */
export function savedTags(folder: string, name: string, cell: number): string[] {
  const notebook = JSON.parse(readFileSync(join(folder, name), 'utf8')) as { cells: Array<{ metadata: { tags?: string[] } }> };
  return notebook.cells[cell]!.metadata.tags ?? [];
}

/** Selects the code cell whose source contains `text`, and runs "Set Pipeline Step…" on it from the command palette. */
export async function openSetPipelineStep(page: Page, text: string): Promise<void> {
  const cell = await revealCell(page, text);
  await cell.locator('.view-lines').click();
  await page.keyboard.press('Escape'); // from editing the cell to having it selected
  await runCommand(page, 'Ferry: Set Pipeline Step…');
}

/** Scrolls the notebook (its cells are rendered only near the viewport) until a code cell containing `text` shows. */
async function revealCell(page: Page, text: string) {
  const cell = page.locator('.notebookOverlay .monaco-list-row.code-cell-row', { hasText: text }).first();
  await page.locator('.notebookOverlay .cell-list-container').first().hover();
  for (let i = 0; i < 30 && !(await cell.isVisible()); i++) await page.mouse.wheel(0, 300);
  await cell.scrollIntoViewIfNeeded();
  return cell;
}

/**
 * Presses Run on Cluster in the notebook toolbar, picks the target and types
 * the parameters in the order they are asked for (undefined keeps a default).
 */
export async function runOnCluster(page: Page, target: string, parameters: Array<[string, string | undefined]>): Promise<void> {
  await page.locator('.notebook-toolbar-container').getByText('Run on Cluster', { exact: true }).filter({ visible: true }).click();
  await answerQuickInput(page, target, /Run on cluster: target/);
  for (const [name, value] of parameters) await answerQuickInput(page, value, new RegExp(`: ${name}$`));
}

/** The sidebar row of the newest run of `pipeline` once its description mentions `state`. */
export async function waitForRunState(page: Page, pipeline: string, state: string, timeoutMs: number): Promise<string> {
  return waitFor(`a ${pipeline} run to be ${state}`, timeoutMs, async () => {
    const labels = await page.locator(`.monaco-list-row[aria-label^="${pipeline} "]`).evaluateAll((rows) =>
      rows.map((row) => row.getAttribute('aria-label') ?? ''),
    );
    const newest = labels[0];
    return newest?.includes(`, ${state} ·`) ? newest : undefined;
  });
}

/** The sidebar row of a step (of the run shown expanded first). */
export function stepRow(page: Page, step: string) {
  return page.locator(`.monaco-list-row[aria-label^="${step}, "]`).first();
}

/** Opens a step's log from the sidebar and returns the log view's frame. */
export async function openStepLog(page: Page, step: string): Promise<Frame> {
  await stepRow(page, step).click();
  return webviewFrame(page, '#log');
}

export async function waitForLogText(frame: Frame, text: string, timeoutMs: number): Promise<string> {
  return waitFor(`"${text}" in the log view`, timeoutMs, async () => {
    const shown = await frame.locator('#log').textContent();
    return shown?.includes(text) ? shown : undefined;
  });
}

/** A notebook whose one step prints a numbered, timestamped line every `intervalS` seconds. */
export function tickerNotebook(ticks: number, intervalS: number): string {
  const cell = (tags: string[], source: string) => ({ cell_type: 'code', execution_count: null, metadata: { tags }, outputs: [], source });
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python' } },
    cells: [
      cell(['imports'], 'import time'),
      cell(['parameters'], `ticks = ${ticks}  # lines to print\ninterval = ${intervalS}  # seconds between lines`),
      cell(['step:tick'], 'for i in range(ticks):\n    print(f"tick {i} at {time.time() * 1000:.0f}", flush=True)\n    time.sleep(interval)'),
    ],
  }, null, 1);
}

/**
 * Milliseconds from a job printing a tick line (the time it printed) to the
 * line appearing in the log view, for the lines seen during `windowMs`.
 */
export async function measureLogLatency(frame: Frame, windowMs: number): Promise<number[]> {
  return frame.evaluate(async (window) => {
    const log = document.getElementById('log')!;
    const delays: number[] = [];
    const observer = new MutationObserver(() => {
      const now = Date.now();
      const lines = (log.textContent ?? '').trimEnd().split('\n');
      const last = /tick \d+ at (\d+)/.exec(lines.at(-1) ?? '');
      if (last) delays.push(now - Number(last[1]));
    });
    observer.observe(log, { childList: true, subtree: true, characterData: true });
    await new Promise((resolve) => setTimeout(resolve, window));
    observer.disconnect();
    return delays;
  }, windowMs);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
