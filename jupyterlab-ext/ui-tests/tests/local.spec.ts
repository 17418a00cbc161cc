/**
 * Ferry in real JupyterLab against the local target: cell tags, Run on
 * cluster, the live side panel, logs, metrics, cancel, runs started
 * from the command line, comparing a sweep's runs, and curves a notebook
 * logged through MLflow, DVCLive and TensorBoard.
 */
import { expect, test } from '@jupyterlab/galata';
import {
  cancelRuns,
  compareSelectedPoints,
  compareSweepFromOnePoint,
  expectCancelled,
  expectMetricColumnSorts,
  expectOneCurvePerRun,
  expectOnlyDifferingParameters,
  openRunsPanel,
  runTrainingSweepOfFour,
  startTickerSweep,
  watchSweepCurvesGrow,
} from './compare-steps.js';
import { expectParallelBrushFiltersTable } from './explore-steps.js';
import {
  expectChartWithPoints,
  expectStepPythonHas,
  ferryCli,
  notebookOnDisk,
  openExample,
  openNotebook,
  runOnCluster,
  runRow,
  serverRoot,
  TICKING,
} from './helpers.js';

test.use({ autoGoto: true });


test('tag a cell through the cell toolbar: the saved file has the tags, the cell shows its step', async ({ page, tmpPath }) => {
  const path = await openExample(page, tmpPath, 'train_pipeline.ipynb', 'train.ipynb');
  // Cell 6 (`split = ...`) has no tags: it continues `prepare`.
  const cell = page.locator('.jp-Notebook .jp-Cell').nth(6);
  await expect(cell).toHaveAttribute('data-ferry-step', 'prepare');
  await cell.click();
  await cell.locator('.jp-cell-toolbar [data-jp-item-name="ferry-cell-tags"]').click();

  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('input[name="step"]').fill('split');
  await dialog.locator('input[name="after"]').fill('prepare');
  await dialog.locator('input[name="mem"]').fill('lots');
  await dialog.getByRole('button', { name: 'Save tags' }).click();
  // A bad value is refused, with the tag grammar's own message, and nothing is written.
  await expect(dialog.locator('.jp-FerryRunForm-problem')).toContainText('memory:lots');
  await dialog.locator('input[name="mem"]').fill('1G');
  await dialog.getByRole('button', { name: 'Save tags' }).click();
  await expect(dialog).toHaveCount(0);

  await expect(cell).toHaveAttribute('data-ferry-step', 'split');
  await expect(cell).toHaveAttribute('data-ferry-step-start', '');
  // The property inspector's Ferry section shows the same cell.
  await page.locator('.jp-SideBar [data-id="jp-property-inspector"]').click();
  if (!(await page.locator('.jp-FerryTagsTool-edit').isVisible())) await page.locator('.jp-NotebookTools').getByText('Pipeline (Ferry)').click();
  await expect(page.locator('.jp-FerryTagsTool-summary')).toContainText('Step: split');
  await expect(page.locator('.jp-FerryTagsTool-summary')).toContainText('Runs after: prepare');
  await page.screenshot({ path: test.info().outputPath('tagged-cell.png') });
  // The cells below it now belong to `split` until the next step tag.
  await page.notebook.save();
  // The notebook speaks Kale, so the tags are written in Kale's words.
  expect(notebookOnDisk(path).cells[6]!.metadata.tags).toEqual(['block:split', 'prev:prepare', 'limit:memory:1G']);
  expect(notebookOnDisk(path).cells[8]!.metadata.tags).toEqual(['block:train', 'prev:prepare', 'cpus:2', 'mem:2G', 'time:30m']);
});

test('Run on cluster with parameters: checked as typed, the run succeeds in the side panel, its log and metrics open', async ({ page, tmpPath }) => {
  await openExample(page, tmpPath, 'train_pipeline.ipynb', 'train.ipynb');
  await page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="ferry-run-on-cluster"]').first().click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-FerryRunForm-summary')).toContainText('prepare → train → evaluate');
  // Defaults and help come from the parameters cell; a wrong type is named under its field.
  await expect(dialog.locator('[name="param-learning_rate"]')).toHaveValue('0.5');
  await expect(dialog.locator('.jp-FerryRunForm-help').first()).toContainText('passes over the training set');
  await dialog.locator('[name="param-epochs"]').fill('many');
  await expect(dialog.locator('.jp-FerryRunForm-error')).toContainText('epochs');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  const runId = await runOnCluster(page, { target: 'local', parameters: { epochs: '7', learning_rate: '0.25' } });
  const row = runRow(page, runId);
  await expect(row).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });
  await expect(row.locator('.jp-FerryRun-id')).toContainText('epochs=7');
  await expect(row.locator('.jp-FerryStep[data-state="succeeded"]')).toHaveCount(3);

  await row.locator('.jp-FerryStep[data-step="prepare"] .jp-FerryStep-log').click();
  const log = page.locator('.jp-FerryLogWidget').last();
  await expect(log.locator('.ferry-log-scroller')).toContainText('prepared 320 training and 80 test samples');
  await expect(log.locator('.ferry-log-title')).toContainText('succeeded');

  await row.locator('.jp-FerryRun-metrics').click();
  // The shared uPlot view: a chart per metric, drawn on a canvas.
  const metrics = page.locator('.jp-FerryMetricsWidget');
  await expect(metrics.locator('.ferry-chart-title').filter({ hasText: 'loss' }).first()).toBeVisible();
  await expect(metrics.locator('.ferry-chart canvas').first()).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('log-and-metrics.png') });

  // Re-run: the same notebook, target and parameters, as a new run, selected.
  await row.locator('.jp-FerryRun-rerun').click();
  const again = page.locator('.jp-FerryRun.jp-mod-selected');
  await expect(again).not.toHaveAttribute('data-run-id', runId);
  await expect(again.locator('.jp-FerryRun-id')).toContainText('epochs=7');
  await expect(again).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });

  // Re-run with other parameters: the dialog starts from the run's values.
  const secondId = await again.getAttribute('data-run-id');
  await again.locator('.jp-FerryRun-rerunEdited').click();
  const rerunDialog = page.locator('.jp-Dialog');
  await expect(rerunDialog.locator('[name="param-epochs"]')).toHaveValue('7');
  await rerunDialog.locator('[name="param-learning_rate"]').fill('0.1');
  await rerunDialog.getByRole('button', { name: 'Run on cluster' }).click();
  const third = page.locator('.jp-FerryRun.jp-mod-selected');
  await expect(third).not.toHaveAttribute('data-run-id', secondId!);
  await expect(third.locator('.jp-FerryRun-id')).toContainText('epochs=7, learning_rate=0.1');
});

test('a sweep from the Run dialog: one run per value, each succeeding', async ({ page, tmpPath }) => {
  await openExample(page, tmpPath, 'train_pipeline.ipynb', 'sweep.ipynb');
  await runOnCluster(page, { target: 'local', parameters: { n_samples: '100' }, sweeps: { epochs: '2, 3' } });
  const points = page.locator('.jp-FerryRun').filter({ has: page.locator(`.jp-FerryRun-row[title$="${tmpPath}/sweep.ipynb"]`) });
  await expect(points).toHaveCount(2);
  for (const point of await points.all()) await expect(point).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });
  await expect(page.locator('.jp-FerryRun.jp-mod-selected .jp-FerryRun-id')).toContainText(/epochs=[23], .*n_samples=100/);
});

test('a notebook-mode run keeps each step’s executed notebook, which opens with its outputs', async ({ page, tmpPath }) => {
  await openExample(page, tmpPath, 'train_pipeline.ipynb', 'executed.ipynb');
  const runId = await runOnCluster(page, { target: 'local', mode: 'notebook', parameters: { epochs: '3' } });
  const row = runRow(page, runId);
  await expect(row).toHaveAttribute('data-state', 'succeeded', { timeout: 180_000 });
  await row.locator('.jp-FerryStep[data-step="evaluate"] .jp-FerryStep-notebook').click();
  await expect(page.locator('.lm-TabBar-tabLabel', { hasText: 'evaluate.executed.ipynb' })).toBeVisible();
  await expect(page.locator('.jp-NotebookPanel:visible .jp-OutputArea-output', { hasText: 'test accuracy' }).first()).toBeVisible();
});

test('a running step’s log streams live; cancel stops the run', async ({ page, tmpPath }) => {
  await openNotebook(page, `${tmpPath}/ticking.ipynb`, TICKING);
  const runId = await runOnCluster(page, { target: 'local' });
  const row = runRow(page, runId);
  await expect(row.locator('.jp-FerryStep[data-step="wait"]')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await row.locator('.jp-FerryStep[data-step="wait"] .jp-FerryStep-log').click();
  const text = page.locator('.jp-FerryLogWidget .ferry-log-scroller').last();
  await expect(text).toContainText('tick 1 ');

  // When each printed line shows up, against the time the step printed it (same machine, same clock).
  const latencies = await text.evaluate(async (node: HTMLElement) => {
    const seen = new Map<string, number>();
    const scan = () => {
      for (const match of (node.textContent ?? '').matchAll(/tick (\d+) ([\d.]+)/g)) {
        if (!seen.has(match[1]!)) seen.set(match[1]!, Date.now() - Number(match[2]) * 1000);
      }
    };
    scan();
    const already = new Set(seen.keys());
    const observer = new MutationObserver(scan);
    observer.observe(node, { childList: true, subtree: true, characterData: true });
    await new Promise((resolve) => setTimeout(resolve, 6000));
    observer.disconnect();
    return [...seen].filter(([tick]) => !already.has(tick)).map(([, ms]) => ms);
  });
  expect(latencies.length).toBeGreaterThan(5);
  const sorted = [...latencies].sort((a, b) => a - b);
  const report = `log line → widget latency over ${sorted.length} lines: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms`;
  console.log(report);
  test.info().annotations.push({ type: 'measurement', description: report });

  // JupyterLab's own Running panel lists the run while it goes.
  await page.locator('.jp-SideBar [data-id="jp-running-sessions"]').click();
  await expect(page.locator('.jp-RunningSessions')).toContainText('ticking (running)');
  await page.locator('.jp-SideBar [data-id="ferry-runs"]').click();

  await row.locator('.jp-FerryRun-cancel').click();
  await expect(row).toHaveAttribute('data-state', 'cancelled', { timeout: 60_000 });
  await expect(row.locator('.jp-FerryStep[data-step="wait"]')).toHaveAttribute('data-state', 'cancelled');
});

test('a run started from the command line appears in the side panel without a reload', async ({ page, tmpPath }) => {
  await page.locator('.jp-SideBar [data-id="ferry-runs"]').click();
  await expect(page.locator('.jp-FerryConnection')).toHaveText('live');
  const notebook = `${serverRoot}/${tmpPath}/from-cli.ipynb`;
  await page.contents.uploadFile(`${process.cwd()}/../examples/train_pipeline.ipynb`, `${tmpPath}/from-cli.ipynb`);
  const run = JSON.parse(ferryCli(['run', notebook, '-p', 'epochs=3', '--json'])) as { id: string };
  const row = runRow(page, run.id);
  await expect(row).toBeVisible();
  await expect(row.locator('.jp-FerryRun-name')).toHaveText('from-cli');
  await expect(row).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });
});

test('a compile problem is shown on its cell and nothing is submitted', async ({ page, tmpPath }) => {
  await openNotebook(page, `${tmpPath}/broken.ipynb`, [
    { source: 'x = 1', tags: ['step:one'] },
    { source: 'y = x + 1', tags: ['step:two', 'gpus:many'] },
  ]);
  await page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="ferry-run-on-cluster"]').first().click();
  await expect(page.locator('.jp-Dialog')).toContainText('gpus:many');
  await page.locator('.jp-Dialog').getByRole('button').last().click();
  const cell = page.locator('.jp-Notebook .jp-Cell').nth(1);
  await expect(cell).toHaveClass(/jp-Ferry-problem/);
  await expect(cell).toHaveAttribute('data-ferry-problem', /gpus:many/);
});

test('a 100 MB log opens at its end and the page stays usable', async ({ page, tmpPath }) => {
  // 1 M lines of 100 bytes, then a last line to look for.
  await openNotebook(page, `${tmpPath}/loud.ipynb`, [
    { source: 'import sys\nline = "x" * 99 + "\\n"\nfor _ in range(1000):\n    sys.stdout.write(line * 1000)\nprint("the last line", flush=True)', tags: ['step:loud'] },
  ]);
  const runId = await runOnCluster(page, { target: 'local' });
  const row = runRow(page, runId);
  await expect(row).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });
  // The page's JS heap after a full collection, from the browser's own accounting.
  const cdp = await page.context().newCDPSession(page.page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  const before = await heap();
  await row.locator('.jp-FerryStep[data-step="loud"] .jp-FerryStep-log').click();
  const log = page.locator('.jp-FerryLogWidget').last();
  await expect(log.locator('.ferry-log-scroller')).toContainText('the last line');
  // The page still answers: the search box takes input and finds the line.
  await log.locator('.ferry-log-search').fill('last line');
  await expect(log.locator('.ferry-log-match').first()).toBeVisible();
  const grown = (await heap()) - before;
  const report = `100 MB log: JS heap ${(before / 1024 / 1024).toFixed(1)} MB before opening it, ${((before + grown) / 1024 / 1024).toFixed(1)} MB with it open`;
  console.log(report);
  test.info().annotations.push({ type: 'measurement', description: report });
  // The view holds the tail, not the log: far less than the log's size.
  expect(grown).toBeLessThan(50 * 1024 * 1024);
});

test('the runs of a sweep compare side by side: differing parameters only, a sortable metric column, one curve per run', async ({ page, tmpPath }) => {
  await openRunsPanel(page);
  const points = await runTrainingSweepOfFour(page, tmpPath, 'local');
  const view = await compareSelectedPoints(page, points, 'sweep-compare');
  await expectOnlyDifferingParameters(view, ['epochs', 'learning_rate'], ['epochs', 'learning_rate', 'n_samples', 'seed']);
  // loss is lower-is-better; 3 runs under the pinned base run.
  await expectMetricColumnSorts(view, 'loss', 3);
  await expectOneCurvePerRun(view, 'loss', ['epochs=2, learning_rate=0.1', 'epochs=2, learning_rate=0.2', 'epochs=3, learning_rate=0.1', 'epochs=3, learning_rate=0.2']);
  await page.screenshot({ path: test.info().outputPath('compare.png') });
  await expectParallelBrushFiltersTable(page, view, 4);
  await compareSweepFromOnePoint(page, points, view);
});

test('a running sweep’s compare view draws its runs’ points as they are logged', async ({ page, tmpPath }) => {
  await openRunsPanel(page);
  const { points, ids } = await startTickerSweep(page, tmpPath, 'local', 'interval=0.2,0.25');
  try {
    await watchSweepCurvesGrow(page, points, ['interval=0.2', 'interval=0.25']);
  } finally {
    await cancelRuns(ids);
  }
  await expectCancelled(points);
});

test('a notebook logging through MLflow, DVCLive and TensorBoard shows a curve from each library', async ({ page, tmpPath }) => {
  // Import name → pip package: the notebook needs all three in the Python that runs the steps.
  expectStepPythonHas({ mlflow: 'mlflow-skinny', dvclive: 'dvclive', tensorboardX: 'tensorboardX' });
  // A copy in the test's folder: the libraries write their files next to the notebook.
  await openExample(page, tmpPath, 'logging_libraries.ipynb');
  // epochs from the dialog; learning_rate keeps the notebook's default.
  const runId = await runOnCluster(page, { target: 'local', parameters: { epochs: '3' } });
  const row = runRow(page, runId);
  await expect(row).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });
  // The run's parameters: the one given and the notebook's default.
  await expect(row.locator('.jp-FerryRun-id')).toContainText(/\bepochs=3\b/);
  await expect(row.locator('.jp-FerryRun-id')).toContainText(/\blearning_rate=0\.4\b/);

  await row.locator('.jp-FerryRun-metrics').click();
  const metrics = page.locator('.jp-FerryMetricsWidget');
  // The name each library logs its loss under in the notebook; one point per epoch.
  for (const metric of ['mlflow_loss', 'dvclive_loss', 'tensorboard_loss']) await expectChartWithPoints(metrics, metric, 3);
  await page.screenshot({ path: test.info().outputPath('logging-libraries-metrics.png') });
});
