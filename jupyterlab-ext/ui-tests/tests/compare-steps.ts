/**
 * The Compare Runs scenario as a user goes through it, step by step, so that
 * local.spec.ts and slurm.spec.ts run the same steps against their own target:
 * a finished sweep compared (differing parameters, a sortable metric, one
 * curve per run), and a running sweep whose curves grow while watched.
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { ferryCliAsync, repoRoot, serverRoot } from './helpers.js';

/** Shows the Ferry side panel once its connection to the server is live (runs started elsewhere then show up). */
export async function openRunsPanel(page: IJupyterLabPageFixture): Promise<void> {
  await page.locator('.jp-SideBar [data-id="ferry-runs"]').click();
  await expect(page.locator('.jp-FerryConnection')).toHaveText('live');
}

/** The side panel's rows of the runs of one notebook (for a sweep, its points), by the notebook's path on disk. */
export function runsOf(page: IJupyterLabPageFixture, notebook: string): Locator {
  return page.locator('.jp-FerryRun').filter({ has: page.locator(`.jp-FerryRun-row[title="${notebook}"]`) });
}

/** The run ids of the rows, top to bottom. */
export async function runIds(rows: Locator): Promise<string[]> {
  return rows.evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.runId!));
}

/**
 * Runs a sweep of 4 of examples/train_pipeline.ipynb (epochs × learning_rate,
 * n_samples fixed) on `target` from the command line, until it ends; returns
 * the side panel's rows of its points, each seen succeeded. `started` gets the
 * notebook's path on disk as soon as the sweep is asked for (to clean up after it).
 */
export async function runTrainingSweepOfFour(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  target: string,
  { timeout = 240_000, started }: { timeout?: number; started?: (notebook: string) => void } = {},
): Promise<Locator> {
  await page.contents.uploadFile(`${repoRoot}/examples/train_pipeline.ipynb`, `${tmpPath}/sweep-compare.ipynb`);
  const notebook = `${serverRoot}/${tmpPath}/sweep-compare.ipynb`;
  started?.(notebook);
  await ferryCliAsync(['run', notebook, '--target', target, '--sweep', 'epochs=2,3', '--sweep', 'learning_rate=0.1,0.2', '-p', 'n_samples=100', '--wait'], timeout);
  const points = runsOf(page, notebook);
  await expect(points).toHaveCount(4);
  for (const point of await points.all()) await expect(point).toHaveAttribute('data-state', 'succeeded');
  return points;
}

/**
 * A click selects the first point alone, Ctrl+click adds the others; the panel
 * offers to compare them, and Compare Runs from the context menu opens one
 * compare view, its tab named after the pipeline and the first run.
 */
export async function compareSelectedPoints(page: IJupyterLabPageFixture, points: Locator, pipeline: string): Promise<Locator> {
  const count = await points.count();
  await points.first().locator('.jp-FerryRun-row').click();
  for (let i = 1; i < count; i++) await points.nth(i).locator('.jp-FerryRun-row').click({ modifiers: ['Control'] });
  await expect(page.locator('.jp-FerryRun.jp-mod-selected')).toHaveCount(count);
  await expect(page.locator('.jp-FerryRunsPanel-compare')).toHaveText(`Compare ${count} runs`);
  await points.nth(1).locator('.jp-FerryRun-row').click({ button: 'right' });
  await page.locator('.lm-Menu .lm-Menu-item', { hasText: 'Compare Runs' }).click();

  const view = page.locator('.jp-FerryCompareWidget');
  await expect(view).toHaveCount(1);
  const firstId = (await points.first().getAttribute('data-run-id'))!;
  await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel')).toHaveText(
    // The tab names the first few runs, then how many more (a sweep of 4: one more).
    new RegExp(`^Compare ${pipeline} ${firstId.slice(-6)}, .*${count > 3 ? ` \\+${count - 3}` : ''}$`),
  );
  return view;
}

/** The table shows only the parameters that differ between the runs; "all parameters" adds the others, and takes them away again. */
export async function expectOnlyDifferingParameters(view: Locator, differing: string[], all: string[]): Promise<void> {
  const parameters = () =>
    view.locator('.ferry-compare-table thead tr:first-child th[data-column^="parameter:"]').evaluateAll((ths) => ths.map((th) => (th as HTMLElement).dataset.column));
  const columns = (names: string[]) => names.map((name) => `parameter:${name}`);
  await expect.poll(parameters, { message: 'only the differing parameters' }).toEqual(columns(differing));
  await view.locator('input.ferry-compare-all-parameters').click();
  await expect.poll(parameters, { message: 'all parameters' }).toEqual(columns(all));
  await view.locator('input.ferry-compare-all-parameters').click();
  await expect.poll(parameters, { message: 'only the differing parameters again' }).toEqual(columns(differing));
}

/**
 * A lower-is-better metric's column sorts lowest first, then, clicked again,
 * highest first: the `rows` runs under the pinned base run.
 */
export async function expectMetricColumnSorts(view: Locator, metric: string, rows: number): Promise<void> {
  const table = view.locator('.ferry-compare-table');
  const header = table.locator(`th[data-column="metric:${metric}"]`);
  const values = async () => (await table.locator(`tbody tr[data-run] td[data-column="metric:${metric}"]`).allTextContents()).map(Number);
  await header.locator('.ferry-compare-sort').click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  const ascending = await values();
  expect(ascending).toHaveLength(rows);
  expect(ascending.every((value) => Number.isFinite(value)), `${metric} values: ${ascending.join(', ')}`).toBe(true);
  expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
  await header.locator('.ferry-compare-sort').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  expect(await values()).toEqual([...ascending].reverse());
}

/** One curve of the metric per run, each named by the run's differing parameters. */
export async function expectOneCurvePerRun(view: Locator, metric: string, names: string[]): Promise<void> {
  const legend = view.locator(`.ferry-chart[data-metric="${metric}"] .u-legend .u-series .u-label`);
  await expect(legend).toHaveCount(names.length + 1); // the x axis, then the runs
  expect((await legend.allTextContents()).slice(1).sort()).toEqual([...names].sort());
}

/** One point of the sweep selected alone stands for the sweep: the same runs, so the same compare view comes forward. */
export async function compareSweepFromOnePoint(page: IJupyterLabPageFixture, points: Locator, view: Locator): Promise<void> {
  const count = await points.count();
  await points.nth(2).locator('.jp-FerryRun-row').click();
  await expect(page.locator('.jp-FerryRun.jp-mod-selected')).toHaveCount(1);
  await page.locator('.jp-FerryRunsPanel-compare', { hasText: `Compare sweep (${count})` }).click();
  await expect(view).toHaveCount(1);
  await expect(view).toBeVisible();
}

/**
 * Writes a notebook whose one step logs the metric `tick` every `interval`
 * seconds (a parameter) for far longer than a test watches, and starts a sweep
 * of it on `target` from the command line (`sweep`: NAME=VALUES). Returns the
 * side panel's rows of its points and their run ids.
 */
export async function startTickerSweep(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  target: string,
  sweep: string,
): Promise<{ points: Locator; ids: string[] }> {
  const cell = (tags: string[], source: string) => ({ cell_type: 'code', execution_count: null, metadata: { tags }, outputs: [], source });
  const ticker = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [
      cell(['imports'], 'import time\nfrom ferry import log_metric'),
      cell(['parameters'], 'interval = 0.2  # seconds between ticks'),
      cell(['step:tick'], 'for i in range(1500):\n    log_metric("tick", i, step=i)\n    time.sleep(interval)'),
    ],
  };
  await page.contents.uploadContent(JSON.stringify(ticker), 'text', `${tmpPath}/ticker.ipynb`);
  const notebook = `${serverRoot}/${tmpPath}/ticker.ipynb`;
  await ferryCliAsync(['run', notebook, '--target', target, '--sweep', sweep]);
  const points = runsOf(page, notebook);
  await expect(points).toHaveCount(sweep.split('=')[1]!.split(',').length);
  return { points, ids: await runIds(points) };
}

/**
 * Once every point runs (`timeout`: how long they may wait for that), one point
 * selected alone stands for its sweep in Compare; the chart of `tick` has one
 * series per run (`names`), and draws more points while the runs go on.
 */
export async function watchSweepCurvesGrow(
  page: IJupyterLabPageFixture,
  points: Locator,
  names: string[],
  { timeout = 60_000 }: { timeout?: number } = {},
): Promise<void> {
  for (const point of await points.all()) await expect(point).toHaveAttribute('data-state', 'running', { timeout });
  await points.first().locator('.jp-FerryRun-row').click();
  await page.locator('.jp-FerryRunsPanel-compare', { hasText: `Compare sweep (${names.length})` }).click();

  const chart = page.locator('.jp-FerryCompareWidget .ferry-chart[data-metric="tick"]');
  await expect(chart.locator('.u-legend .u-series .u-label')).toHaveText(['step', ...names]);
  const drawn = async () => Number(await chart.getAttribute('data-points'));
  await expect.poll(drawn, { message: 'tick points drawn' }).toBeGreaterThan(0);
  const first = await drawn();
  await expect.poll(drawn, { message: 'the curves grow while the runs run' }).toBeGreaterThan(first + 5);
  const report = `compare chart: ${first} points when first seen, ${await drawn()} a moment later`;
  test.info().annotations.push({ type: 'measurement', description: report });
}

/** Cancels the runs from the command line (in a `finally`: nothing may keep running after the test). */
export async function cancelRuns(ids: string[]): Promise<void> {
  for (const id of ids) await ferryCliAsync(['cancel', id]);
}

/** The side panel shows each of the rows cancelled (`timeout`: how long the target may take to stop them). */
export async function expectCancelled(rows: Locator, { timeout = 60_000 }: { timeout?: number } = {}): Promise<void> {
  for (const row of await rows.all()) await expect(row).toHaveAttribute('data-state', 'cancelled', { timeout });
}
