/** What a user does in the workbench, step by step, shared by the local and the Slurm end-to-end tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { answerQuickInput, openFile, waitFor, webviewFrame } from './workbench.js';

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

/** Selects the code cell whose source contains `text`, and presses "Set Pipeline Step…" in the cell's own toolbar. */
export async function openSetPipelineStep(page: Page, text: string): Promise<void> {
  const cell = await revealCell(page, text);
  await cell.locator('.view-lines').click();
  await page.keyboard.press('Escape'); // from editing the cell to having it selected: its toolbar shows
  await cell.locator('.cell-title-toolbar a.action-label[aria-label="Set Pipeline Step…"]').click();
}

/** Scrolls the notebook (its cells are rendered only near the viewport) until a code cell containing `text` shows. */
async function revealCell(page: Page, text: string) {
  const cell = page.locator('.notebookOverlay .monaco-list-row.code-cell-row', { hasText: text }).first();
  await page.locator('.notebookOverlay .cell-list-container').first().hover();
  for (let i = 0; i < 30 && !(await cell.isVisible()); i++) await page.mouse.wheel(0, 300);
  await cell.scrollIntoViewIfNeeded();
  return cell;
}

/** A parameter's value in the form: text, or several values (a sweep) as a comma list. */
export type FormValue = string | { sweep: string };

/** Presses Run on Cluster in the notebook toolbar, picks the target, and returns the parameter form's frame. */
export async function openRunForm(page: Page, target: string): Promise<Frame> {
  const pressRun = async () => {
    await page.locator('.notebook-toolbar-container').getByText('Run on Cluster', { exact: true }).filter({ visible: true }).click();
    await answerQuickInput(page, target, /Run on cluster: target/);
  };
  await pressRun();
  try {
    return await webviewFrame(page, '.ferry-parameter-form', 20_000);
  } catch (error) {
    // code-server now and then leaves a new webview's page unloaded: a blank panel, none of the view's markup
    // (seen once, in CI). That panel is closed and the form asked for once more; a page of ours that loaded but
    // shows no form (say, "Loading parameters…" for ever) is a failure of the extension, and fails here.
    if (await anyFrameShows(page, 'Loading parameters…')) throw error;
    await closeEditor(page, ` on ${target}`);
    await pressRun();
    return webviewFrame(page, '.ferry-parameter-form');
  }
}

async function anyFrameShows(page: Page, text: string): Promise<boolean> {
  for (const frame of page.frames()) if ((await frame.getByText(text).count().catch(() => 0)) > 0) return true;
  return false;
}

/** Fills the parameter form (only the fields given; the rest keep their defaults) and presses its Run button. */
export async function submitForm(form: Frame, values: Record<string, FormValue>): Promise<void> {
  await fillParameterForm(form, values);
  await form.locator('vscode-button[type="submit"]').click();
}

/** Run on Cluster from the notebook toolbar, through the form, on `target`. */
export async function runOnCluster(page: Page, target: string, values: Record<string, FormValue>): Promise<void> {
  await submitForm(await openRunForm(page, target), values);
}

/** Fills fields of the form; its controls are vscode-elements, whose inner inputs CSS selectors reach through open shadow roots. */
export async function fillParameterForm(form: Frame, values: Record<string, FormValue>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const field = parameterField(form, name);
    if (typeof value !== 'string') await field.locator('.ferry-field-sweep vscode-checkbox').click();
    await field.locator('vscode-textfield input').fill(typeof value === 'string' ? value : value.sweep);
  }
}

/** The form's field of one parameter. */
export function parameterField(form: Frame, name: string) {
  return form.locator('.ferry-field').filter({ has: form.locator('.ferry-field-name', { hasText: new RegExp(`^${name}$`) }) });
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
  return webviewFrame(page, '.ferry-log-view');
}

/** The lines the log view shows (it renders only the rows in view). */
export async function shownLogLines(frame: Frame): Promise<string[]> {
  return frame.locator('.ferry-log-rows .ferry-log-line').allTextContents();
}

export async function waitForLogText(frame: Frame, text: string, timeoutMs: number): Promise<string> {
  return waitFor(`"${text}" in the log view`, timeoutMs, async () => {
    const shown = (await shownLogLines(frame)).join('\n');
    return shown.includes(text) ? shown : undefined;
  });
}

/** Opens a run's metrics from the sidebar (the run row's inline action) and returns the metrics view's frame. */
export async function openRunMetrics(page: Page, pipeline: string): Promise<Frame> {
  const run = page.locator(`.monaco-list-row[aria-label^="${pipeline} "]`).first();
  await run.hover();
  await run.locator('a.action-label[aria-label="Open Metrics"]').click();
  return webviewFrame(page, '.ferry-metrics-view');
}

/** Points of each series as the metrics view's summary table counts them, once a chart is drawn. */
export async function chartPointCounts(frame: Frame): Promise<Record<string, number>> {
  await frame.locator('.ferry-chart-card .uplot canvas').first().waitFor({ timeout: 60_000 });
  const rows = await frame.locator('.ferry-series-summary tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector('th')?.textContent ?? '', Number(tr.querySelector('td:last-child')?.textContent ?? 'NaN')] as const),
  );
  return Object.fromEntries(rows);
}

/** Points drawn by each chart of the metrics view, by the chart's title (a chart counts once its uPlot canvas is there). */
export async function drawnChartPoints(frame: Frame): Promise<Record<string, number>> {
  const cards = await frame.locator('.ferry-chart-card').evaluateAll((sections) =>
    sections
      .filter((section) => section.querySelector('.uplot canvas'))
      .map((section) => {
        const counts = Array.from(section.querySelectorAll('.ferry-series-summary tbody tr td:last-child'), (td) => Number(td.textContent));
        return [section.querySelector('.ferry-chart-title')?.textContent ?? '', counts.reduce((sum, count) => sum + count, 0)] as const;
      }),
  );
  return Object.fromEntries(cards);
}

/** Closes an open editor by its tab, so that the next test's notebook is the only one a toolbar click can reach. */
export async function closeEditor(page: Page, name: string): Promise<void> {
  const tab = page.locator('.tabs-container .tab', { hasText: name });
  await tab.click();
  await page.keyboard.press('Control+W');
  await tab.waitFor({ state: 'detached', timeout: 10_000 });
}

/** Shows the Ferry sidebar (when a test runs alone, nothing has opened it yet) and waits for its local target. */
export async function showFerrySidebar(page: Page): Promise<void> {
  const target = page.locator('.monaco-list-row[aria-label^="local, local"]');
  if (!(await target.isVisible())) await page.locator('.activitybar a.action-label[aria-label="Ferry"]').click();
  await target.waitFor({ timeout: 60_000 });
}

/** The hover a user sees over the newest run of `pipeline` in the sidebar: its target, id and parameters, one a line. */
export async function runHoverText(page: Page, pipeline: string): Promise<string> {
  const run = page.locator(`.monaco-list-row[aria-label^="${pipeline} "]`).first();
  await run.locator('.custom-view-tree-node-item-resourceLabel').hover();
  const hover = page.locator('.workbench-hover', { hasText: pipeline }).last();
  await hover.waitFor({ timeout: 15_000 });
  return (await hover.innerText()).trim();
}

/** A notebook whose one step prints a numbered, timestamped line (and logs a metric) every `intervalS` seconds. */
export function tickerNotebook(ticks: number, intervalS: number): string {
  const cell = (tags: string[], source: string) => ({ cell_type: 'code', execution_count: null, metadata: { tags }, outputs: [], source });
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python' } },
    cells: [
      cell(['imports'], 'import time\nfrom ferry import log_metric'),
      cell(['parameters'], `ticks = ${ticks}  # lines to print\ninterval = ${intervalS}  # seconds between lines`),
      cell(
        ['step:tick'],
        'for i in range(ticks):\n    print(f"tick {i} at {time.time() * 1000:.0f}", flush=True)\n    log_metric("tick", i, step=i)\n    time.sleep(interval)',
      ),
    ],
  }, null, 1);
}

/**
 * Milliseconds from a job printing a tick line (the time it printed) to the
 * line appearing in the log view, for the lines seen during `windowMs`.
 */
export async function measureLogLatency(frame: Frame, windowMs: number): Promise<number[]> {
  return frame.evaluate(async (window) => {
    const log = document.querySelector('.ferry-log-rows')!;
    const delays: number[] = [];
    const seen = new Set<string>();
    const observer = new MutationObserver(() => {
      const now = Date.now();
      const lines = Array.from(log.querySelectorAll('.ferry-log-line')).map((line) => line.textContent ?? '').filter(Boolean);
      const last = /tick (\d+) at (\d+)/.exec(lines.at(-1) ?? '');
      if (last && !seen.has(last[1]!)) {
        seen.add(last[1]!);
        delays.push(now - Number(last[2]));
      }
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

/** A notebook whose one step prints `megabytes` MB of numbered 100-byte lines as fast as it can. */
export function bigLogNotebook(megabytes: number): string {
  const cell = (tags: string[], source: string) => ({ cell_type: 'code', execution_count: null, metadata: { tags }, outputs: [], source });
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python' } },
    cells: [
      cell(['imports'], 'import sys'),
      cell(['parameters'], `megabytes = ${megabytes}  # size of the log`),
      cell(
        ['step:spew'],
        'for block in range(megabytes * 10):  # 1000 lines of 100 bytes\n' +
          '    sys.stdout.write("".join(f"line {block * 1000 + i:09d} " + "x" * 84 + "\\n" for i in range(1000)))\n' +
          'print("the end of the big log", flush=True)',
      ),
    ],
  }, null, 1);
}
