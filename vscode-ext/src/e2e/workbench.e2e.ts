/**
 * Ferry for VS Code, end to end in the real workbench against the local
 * target: tag a cell with the cell toolbar's button, Run on cluster through
 * the parameter form (one run, then a sweep), watch the sidebar, read a
 * step's log, see the run's metric curves (live while a run logs them),
 * re-run with the form prefilled, cancel a running run, open a 100 MB log,
 * compare the runs of a sweep, see curves a notebook logged through MLflow,
 * DVCLive and TensorBoard.
 * Run with `npm run test:e2e -w vscode-ext` (it packages the .vsix first).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'playwright-core';
import {
  bigLogNotebook,
  chartPointCounts,
  closeEditor,
  drawnChartPoints,
  measureLogLatency,
  median,
  openNotebook,
  openRunForm,
  openRunMetrics,
  openSetPipelineStep,
  openStepLog,
  parameterField,
  runHoverText,
  runOnCluster,
  savedTags,
  showFerrySidebar,
  shownLogLines,
  stepRow,
  submitForm,
  tickerNotebook,
  waitForLogText,
  waitForRunState,
} from './scenario.js';
import { bodyColumnValues, brushParallelAxis, chartLegend, chartPoints, compareColumns, compareSelectedPoints, compareSweep, runSweepFromCli } from './compare-scenario.js';
import {
  answerQuickInput,
  assertStepPythonHas,
  extensionLog,
  runCommand,
  startWorkbench,
  waitFor,
  webviewFrame,
  workbenchUnavailable,
  type Workbench,
} from './workbench.js';

const unavailable = workbenchUnavailable();
let workbench: Workbench;
/** Content Security Policy violations any page or webview reported. */
const cspViolations: string[] = [];

before(async () => {
  if (unavailable) return;
  // Copies of the examples: logging_libraries.ipynb's libraries write their files next to it.
  workbench = await startWorkbench({ examples: ['train_pipeline.ipynb', 'logging_libraries.ipynb'] });
  writeFileSync(join(workbench.folder, 'ticker.ipynb'), tickerNotebook(2400, 0.25));
  writeFileSync(join(workbench.folder, 'big-log.ipynb'), bigLogNotebook(100));
  workbench.page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
});

after(async () => {
  await workbench?.close();
});

/** Each test leaves a screenshot of the workbench behind when it fails. */
function step(name: string, body: (wb: Workbench) => Promise<void>) {
  test(name, { skip: unavailable }, async () => {
    try {
      await workbench.page.keyboard.press('Escape'); // nothing left open from a test before
      await body(workbench);
    } catch (error) {
      const shot = await workbench.screenshot(name.replace(/[^a-z0-9]+/gi, '-')).catch(() => 'none');
      const notifications = await workbench.page.locator('.notification-list-item-message').allTextContents().catch(() => []);
      const log = extensionLog(workbench.userData).trim().split('\n').slice(-15).join('\n');
      throw Object.assign(error as Error, {
        message: `${(error as Error).message}\nscreenshot: ${shot}\nnotifications: ${JSON.stringify(notifications)}\nextension log:\n${log}`,
      });
    }
  });
}

step('the extension activates and the Ferry sidebar shows the local target', async ({ page }) => {
  await page.locator('.activitybar a.action-label[aria-label="Ferry"]').click();
  await page.locator('.monaco-list-row[aria-label^="local, local"]').waitFor({ timeout: 60_000 });
  await runCommand(page, 'Developer: Show Running Extensions');
  const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Ferry' }).first();
  const text = await row.textContent({ timeout: 20_000 });
  const activation = /(\d+)\s*ms/.exec(text ?? '')?.[1];
  console.log(`measure: activation time as VS Code reports it: ${activation ?? '?'} ms (${text?.replace(/\s+/g, ' ').trim()})`);
  const own = await waitFor('the extension log', 20_000, async () => /activated in ([\d.]+) ms/.exec(extensionLog(workbench.userData))?.[1]);
  console.log(`measure: activate() itself: ${own} ms`);
  await page.keyboard.press('Control+W');
});

step('a cell tagged through "Set Pipeline Step…" has the tags in the saved file', async ({ page, folder }) => {
  await openNotebook(page, 'train_pipeline.ipynb');
  assert.deepEqual(savedTags(folder, 'train_pipeline.ipynb', 6), []);
  await openSetPipelineStep(page, 'split = int');
  await answerQuickInput(page, 'Step', /pipeline role/);
  await answerQuickInput(page, 'prepare', /^Step$/);
  await answerQuickInput(page, undefined, /runs after/); // no explicit dependencies
  await answerQuickInput(page, 'cpus:1', /resources/);
  // The cell's status bar now says what it is.
  await page.locator('.cell-statusbar-container', { hasText: 'step prepare · cpus:1' }).waitFor();
  await page.keyboard.press('Control+S');
  // The notebook is Kale-tagged, so the new tags are Kale's too.
  await waitFor('the saved tags', 10_000, async () =>
    savedTags(folder, 'train_pipeline.ipynb', 6).length ? true : undefined,
  );
  assert.deepEqual(savedTags(folder, 'train_pipeline.ipynb', 6), ['block:prepare', 'cpus:1']);
});

step('Run on cluster on the local target: the form takes the parameters, the run reaches succeeded in the sidebar', async ({ page }) => {
  const form = await openRunForm(page, 'local');
  await assertStyledUnderCsp(form, '.ferry-parameter-form');
  // The form draws with VS Code's own controls (vscode-elements), not plain HTML ones.
  assert.equal(await parameterField(form, 'epochs').locator('vscode-textfield').count(), 1);
  assert.equal(await form.locator('input.ferry-input, button.ferry-button').count(), 0);
  await submitForm(form, { epochs: '3', n_samples: '200' });
  const row = await waitForRunState(page, 'train_pipeline', 'succeeded', 180_000);
  assert.match(row, /3\/3 steps/);
  assert.match((await stepRow(page, 'evaluate').getAttribute('aria-label')) ?? '', /^evaluate, succeeded/);
});

step("a step's log shows the lines it printed", async ({ page }) => {
  const frame = await openStepLog(page, 'train');
  const text = await waitForLogText(frame, 'epoch 2: loss', 30_000);
  // epochs=3 from the form: exactly epochs 0..2 ran.
  assert.match(text, /epoch 0: loss/);
  assert.doesNotMatch(text, /epoch 3:/);
  await assertStyledUnderCsp(frame, '.ferry-log-scroller');
  await page.keyboard.press('Control+W');
});

step("the run's metrics panel draws its curves", async ({ page }) => {
  const frame = await openRunMetrics(page, 'train_pipeline');
  const counts = await waitFor('the metric series', 60_000, async () => {
    const seen = await chartPointCounts(frame);
    return Object.keys(seen).length ? seen : undefined;
  });
  // One point per epoch of the 3 the form asked for.
  assert.ok(Object.values(counts).some((count) => count === 3), `series with 3 points: ${JSON.stringify(counts)}`);
  await assertStyledUnderCsp(frame, '.ferry-chart-card');
  await page.keyboard.press('Control+W');
});

step('a notebook logging through MLflow, DVCLive and TensorBoard shows a curve from each library and its parameters on the run', async ({ page }) => {
  // Import name → pip package: the notebook needs all three in the Python that runs the steps.
  assertStepPythonHas({ mlflow: 'mlflow-skinny', dvclive: 'dvclive', tensorboardX: 'tensorboardX' });
  await showFerrySidebar(page);
  await openNotebook(page, 'logging_libraries.ipynb');
  // epochs from the form; learning_rate keeps the notebook's default.
  await runOnCluster(page, 'local', { epochs: '3' });
  await waitForRunState(page, 'logging_libraries', 'succeeded', 180_000);

  const frame = await openRunMetrics(page, 'logging_libraries');
  // The name each library logs its loss under in the notebook.
  const metrics = ['mlflow_loss', 'dvclive_loss', 'tensorboard_loss'];
  let drawn: Record<string, number> = {};
  await waitFor('a chart per library', 60_000, async () => {
    drawn = await drawnChartPoints(frame);
    return metrics.every((metric) => (drawn[metric] ?? 0) >= 3) ? true : undefined;
  }).catch((error: Error) => {
    throw new Error(`${error.message}; charts drawn (title: points): ${JSON.stringify(drawn)}`);
  });
  // One point per epoch of the 3 the form asked for, from each library.
  assert.deepEqual(metrics.map((metric) => drawn[metric]), [3, 3, 3], JSON.stringify(drawn));

  // Hovering the run in the sidebar lists its parameters: the one given and the notebook's default.
  const hover = await runHoverText(page, 'logging_libraries');
  assert.match(hover, /^epochs=3$/m, hover);
  assert.match(hover, /^learning_rate=0\.4$/m, hover);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+W');
  await closeEditor(page, 'logging_libraries.ipynb');
});

step('re-run with other parameters opens the form with the run\'s values', async ({ page }) => {
  const run = page.locator('.monaco-list-row[aria-label^="train_pipeline "]').first();
  await run.click({ button: 'right' });
  // Monaco's menus act on mouse-up after a hover; choosing with the keyboard is what works every time.
  await page.locator('.context-view .action-label', { hasText: 'Re-run with Other Parameters…' }).hover();
  await page.keyboard.press('Enter');
  const form = await webviewFrame(page, '.ferry-parameter-form');
  assert.equal(await parameterField(form, 'epochs').locator('vscode-textfield input').inputValue(), '3');
  assert.equal(await parameterField(form, 'n_samples').locator('vscode-textfield input').inputValue(), '200');
  await form.locator('vscode-button', { hasText: 'Cancel' }).click();
  await waitFor('the form to close', 10_000, async () => ((await form.isDetached()) || !(await form.$('.ferry-parameter-form')) ? true : undefined));
});

step('several values in the form make a sweep, grouped in the sidebar', async ({ page }) => {
  await openNotebook(page, 'train_pipeline.ipynb');
  await runOnCluster(page, 'local', { epochs: { sweep: '1, 2' }, n_samples: '100' });
  const sweep = await waitForRunState(page, 'train_pipeline sweep', 'succeeded', 240_000);
  assert.match(sweep, /2 runs over epochs/);
  const points = await page.locator('.monaco-list-row[aria-label^="train_pipeline "][aria-label*=" epochs="]').evaluateAll((rows) =>
    rows.map((row) => row.getAttribute('aria-label') ?? ''),
  );
  assert.deepEqual(points.map((label) => /epochs=(\d+)/.exec(label)?.[1]), ['1', '2']);
});

step('the runs of a sweep compare side by side: differing parameters only, a sortable metric column, one curve per run', async ({ page, folder, ferryHome }) => {
  await showFerrySidebar(page); // the server is up
  await runSweepFromCli(ferryHome, join(folder, 'train_pipeline.ipynb'), 'local', ['epochs=2,3', 'learning_rate=0.1,0.2'], ['n_samples=100']);
  await waitForRunState(page, 'train_pipeline sweep', 'succeeded', 60_000);
  const frame = await compareSelectedPoints(page, 'learning_rate', 4);
  await assertStyledUnderCsp(frame, '.ferry-compare-scroller');

  const parameters = async () => (await compareColumns(frame)).filter((column) => column.startsWith('parameter:'));
  assert.deepEqual(await parameters(), ['parameter:epochs', 'parameter:learning_rate'], 'only the swept parameters differ');
  // The toolbar and the metric columns draw with VS Code's own controls.
  await assertVscodeControls(frame, '.ferry-compare-view');
  await frame.locator('vscode-checkbox.ferry-compare-all-parameters').click();
  assert.deepEqual(await parameters(), ['parameter:epochs', 'parameter:learning_rate', 'parameter:n_samples', 'parameter:seed']);
  await frame.locator('vscode-checkbox.ferry-compare-all-parameters').click();
  assert.deepEqual(await parameters(), ['parameter:epochs', 'parameter:learning_rate']);

  // loss is lower-is-better: its column sorts lowest first, then, clicked again, highest first.
  const losses = async () => (await bodyColumnValues(frame, 'metric:loss')).map(Number);
  await frame.locator('th[data-column="metric:loss"] .ferry-compare-sort').click();
  const ascending = await losses();
  assert.equal(ascending.length, 3, 'three runs under the pinned base run');
  assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
  await frame.locator('th[data-column="metric:loss"] .ferry-compare-sort').click();
  assert.deepEqual(await losses(), [...ascending].reverse());

  const legend = await waitFor('four curves of loss', 30_000, async () => {
    const labels = await chartLegend(frame, 'loss');
    return labels.length === 4 ? labels : undefined;
  });
  assert.deepEqual([...legend].sort(), [
    'epochs=2, learning_rate=0.1',
    'epochs=2, learning_rate=0.2',
    'epochs=3, learning_rate=0.1',
    'epochs=3, learning_rate=0.2',
  ]);

  // Parallel coordinates: ECharts comes as a second script only once the chart is opened; brushing the loss axis filters the table.
  const exploreScript = frame.locator('script[data-ferry-explore]');
  assert.equal(await exploreScript.count(), 0, 'no chart library before a chart is opened');
  await frame.locator('.ferry-compare-view-parallel').click();
  await frame.locator('.ferry-compare-explore-chart canvas').first().waitFor({ timeout: 30_000 });
  assert.equal(await exploreScript.count(), 1, 'compare-explore.js loaded under the CSP');
  assert.deepEqual(cspViolations, [], 'no Content Security Policy violations');
  const axes = (await compareColumns(frame)).filter((column) => column.startsWith('parameter:') || column.startsWith('metric:'));
  await brushParallelAxis(frame, axes.indexOf('metric:loss'), axes.length);
  const count = frame.locator('.ferry-compare-brushed-count');
  await count.waitFor({ timeout: 10_000 });
  const kept = Number(/^(\d+) of 4 runs$/.exec((await count.textContent()) ?? '')?.[1]);
  assert.ok(kept >= 1 && kept < 4, `the brush keeps some of the runs: ${await count.textContent()}`);
  assert.equal(await frame.locator('.ferry-compare-table tr[data-run]').count(), kept, 'the table shows only the runs the brush keeps');
  await frame.locator('.ferry-compare-clear-brush').click();
  await waitFor('all four runs again', 10_000, async () => ((await frame.locator('.ferry-compare-table tr[data-run]').count()) === 4 ? true : undefined));
  await page.keyboard.press('Control+W');
});

step('a running run streams its log and metrics live and can be cancelled from the sidebar', async ({ page }) => {
  await openNotebook(page, 'ticker.ipynb');
  await runOnCluster(page, 'local', {});
  await waitForRunState(page, 'ticker', 'running', 60_000);
  await stepRow(page, 'tick').waitFor();
  const frame = await openStepLog(page, 'tick');
  await waitForLogText(frame, 'tick 2 at', 30_000);
  const delays = await measureLogLatency(frame, 4000);
  assert.ok(delays.length >= 4, `new lines kept arriving while the step ran (saw ${delays.length})`);
  console.log(`measure: printed line → visible in the log view: median ${median(delays)} ms, max ${Math.max(...delays)} ms over ${delays.length} lines`);
  // Search through VS Code's own text field: the first tick is found once.
  await assertVscodeControls(frame, '.ferry-log-view');
  await frame.locator('vscode-textfield.ferry-log-search input').fill('tick 1 at');
  await frame.locator('.ferry-log-match-count', { hasText: '1 of 1' }).waitFor({ timeout: 10_000 });

  const metrics = await openRunMetrics(page, 'ticker');
  const first = await waitFor('tick points', 30_000, async () => (await chartPointCounts(metrics))['tick']);
  const later = await waitFor('more tick points', 30_000, async () => {
    const count = (await chartPointCounts(metrics))['tick'] ?? 0;
    return count > first ? count : undefined;
  });
  assert.ok(later > first, 'the chart grows while the run logs metrics');
  await assertVscodeControls(metrics, '.ferry-metrics-view');

  const run = page.locator('.monaco-list-row[aria-label^="ticker "]').first();
  await run.hover();
  await run.locator('a.action-label[aria-label="Cancel"]').click();
  await waitForRunState(page, 'ticker', 'cancelled', 60_000);
  assert.match((await stepRow(page, 'tick').getAttribute('aria-label')) ?? '', /^tick, cancelled/);
  await page.keyboard.press('Control+W');
  await page.keyboard.press('Control+W');
});

step("a running sweep's compare view draws its runs' points as they are logged", async ({ page, folder, ferryHome }) => {
  await runSweepFromCli(ferryHome, join(folder, 'ticker.ipynb'), 'local', ['interval=0.2,0.25'], [], { wait: false });
  await waitForRunState(page, 'ticker sweep', 'running', 60_000);
  const frame = await compareSweep(page, 'ticker');
  assert.deepEqual(await chartLegend(frame, 'tick'), ['interval=0.2', 'interval=0.25']);
  const first = await waitFor('tick points', 30_000, async () => ((await chartPoints(frame, 'tick')) > 0 ? chartPoints(frame, 'tick') : undefined));
  await waitFor('more tick points', 30_000, async () => ((await chartPoints(frame, 'tick')) > first ? true : undefined));
  const sweep = page.locator('.monaco-list-row[aria-label^="ticker sweep "]').first();
  await sweep.hover();
  await sweep.locator('a.action-label[aria-label="Cancel"]').click();
  await waitForRunState(page, 'ticker sweep', 'cancelled', 60_000);
  await page.keyboard.press('Control+W');
});

step('a 100 MB log opens at its end and pages back on demand; the view holds little of it', async ({ page }) => {
  await openNotebook(page, 'big-log.ipynb');
  await runOnCluster(page, 'local', {});
  await waitForRunState(page, 'big-log', 'succeeded', 300_000);
  // Webviews are served from the workbench's origin here, so they share its JS heap: measure what opening the view adds.
  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  const before = await heap();
  const frame = await openStepLog(page, 'spew');
  await waitForLogText(frame, 'the end of the big log', 30_000);
  const atTail = await heap();
  assert.match((await frame.locator('.ferry-log-earlier').textContent()) ?? '', /MB earlier|MiB earlier/);
  // Scroll to the top of what is held, ten times: each time the view asks for the page before it.
  const scroller = frame.locator('.ferry-log-scroller');
  const firstShown = async () => Number(/line (\d+)/.exec((await shownLogLines(frame))[0] ?? '')?.[1]);
  const start = await waitFor('lines in view', 10_000, async () => ((await firstShown()) >= 0 ? firstShown() : undefined));
  for (let i = 0; i < 10; i++) {
    await scroller.evaluate((element) => element.scrollTo(0, 0));
    await page.waitForTimeout(300);
  }
  const afterPaging = await heap();
  const reached = await firstShown();
  assert.ok(reached < start - 2000, `paged back from line ${start} to ${reached}`);
  const rows = await frame.locator('.ferry-log-line').count();
  assert.ok(rows < 500, `only the rows in view are in the page (${rows})`);
  const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
  console.log(
    `measure: log view of a 100 MB log: +${mb(atTail - before)} MB JS heap with the tail (256 KiB), ` +
      `+${mb(afterPaging - before)} MB after paging back ${start - reached} lines (${mb((start - reached) * 100)} MB of log); ${rows} rows in the DOM`,
  );
  await page.keyboard.press('Control+W');
});

/**
 * The view's controls are @vscode-elements ones: no plain input, select or
 * button is left in its toolbar. The smoothing slider stays a native range
 * input (themed): the set has no slider.
 */
async function assertVscodeControls(frame: Frame, view: string): Promise<void> {
  const toolbar = frame.locator(`${view} .ferry-toolbar`);
  await toolbar.waitFor();
  // querySelectorAll, not a locator: locators pierce the elements' shadow roots, where their own inputs live.
  const plain = await toolbar.evaluate((element) => element.querySelectorAll('input:not([type="range"]), select, button').length);
  assert.equal(plain, 0, `${view}: no plain HTML controls`);
  assert.ok((await toolbar.locator('vscode-button, vscode-checkbox, vscode-single-select, vscode-textfield').count()) > 0, `${view}: drawn with vscode-elements`);
}

/** The bundle's stylesheet applies under the webview's CSP (nothing of it was blocked). */
async function assertStyledUnderCsp(frame: Frame, selector: string): Promise<void> {
  const element = frame.locator(selector).first();
  await element.waitFor();
  const style = await element.evaluate((node) => {
    const computed = getComputedStyle(node);
    return { box: computed.boxSizing, display: computed.display, overflow: computed.overflowY, border: computed.borderTopStyle, font: computed.fontFamily };
  });
  const defaults = await frame.evaluate((tag) => {
    const probe = document.createElement(tag);
    document.body.append(probe);
    const computed = getComputedStyle(probe);
    const seen = { box: computed.boxSizing, display: computed.display, overflow: computed.overflowY, border: computed.borderTopStyle, font: computed.fontFamily };
    probe.remove();
    return seen;
  }, await element.evaluate((node) => node.tagName.toLowerCase()));
  assert.notDeepEqual(style, defaults, `${selector} is styled by ferry-ui.css`);
  assert.deepEqual(cspViolations, [], 'no Content Security Policy violations');
}
