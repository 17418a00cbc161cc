/**
 * Ferry for VS Code, end to end in the real workbench against the local
 * target: tag a cell through the UI, Run on cluster, watch the sidebar,
 * read a step's log, cancel a running run.
 * Run with `npm run test:e2e -w vscode-ext` (it packages the .vsix first).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  measureLogLatency,
  median,
  openNotebook,
  openSetPipelineStep,
  openStepLog,
  runOnCluster,
  savedTags,
  stepRow,
  tickerNotebook,
  waitForLogText,
  waitForRunState,
} from './scenario.js';
import { answerQuickInput, runCommand, startWorkbench, waitFor, workbenchUnavailable, type Workbench } from './workbench.js';

const unavailable = workbenchUnavailable();
let workbench: Workbench;

before(async () => {
  if (unavailable) return;
  workbench = await startWorkbench({ examples: ['train_pipeline.ipynb'] });
  writeFileSync(join(workbench.folder, 'ticker.ipynb'), tickerNotebook(2400, 0.25));
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
      throw Object.assign(error as Error, { message: `${(error as Error).message}\nscreenshot: ${shot}` });
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

step('Run on cluster on the local target: the run reaches succeeded in the sidebar', async ({ page }) => {
  await runOnCluster(page, 'local', [['epochs', '3'], ['learning_rate', undefined], ['n_samples', '200'], ['seed', undefined]]);
  const row = await waitForRunState(page, 'train_pipeline', 'succeeded', 120_000);
  assert.match(row, /3\/3 steps/);
  assert.match((await stepRow(page, 'evaluate').getAttribute('aria-label')) ?? '', /^evaluate, succeeded/);
});

step("a step's log shows the lines it printed", async ({ page }) => {
  const frame = await openStepLog(page, 'train');
  const text = await waitForLogText(frame, 'epoch 2: loss', 30_000);
  // epochs=3 from the form: exactly epochs 0..2 ran.
  assert.match(text, /epoch 0: loss/);
  assert.doesNotMatch(text, /epoch 3:/);
  await page.keyboard.press('Control+W');
});

step('a running run streams its log live and can be cancelled from the sidebar', async ({ page }) => {
  await openNotebook(page, 'ticker.ipynb');
  await runOnCluster(page, 'local', [['ticks', undefined], ['interval', undefined]]);
  await waitForRunState(page, 'ticker', 'running', 60_000);
  await stepRow(page, 'tick').waitFor();
  const frame = await openStepLog(page, 'tick');
  await waitForLogText(frame, 'tick 2 at', 30_000);
  const delays = await measureLogLatency(frame, 4000);
  assert.ok(delays.length >= 4, `new lines kept arriving while the step ran (saw ${delays.length})`);
  console.log(`measure: printed line → visible in the log view: median ${median(delays)} ms, max ${Math.max(...delays)} ms over ${delays.length} lines`);

  const run = page.locator('.monaco-list-row[aria-label^="ticker "]').first();
  await run.hover();
  await run.locator('a.action-label[aria-label="Cancel Run"]').click();
  await waitForRunState(page, 'ticker', 'cancelled', 60_000);
  assert.match((await stepRow(page, 'tick').getAttribute('aria-label')) ?? '', /^tick, cancelled/);
});
