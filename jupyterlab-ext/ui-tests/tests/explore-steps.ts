/**
 * The compare view's parallel coordinates as a user goes through them: the
 * chart is fetched (a webpack chunk with ECharts) only when opened, and
 * dragging along an axis keeps only the runs inside that range in the table.
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

/** The extension's lazily fetched chunks are served from its static folder. */
const EXTENSION_CHUNK = /\/lab\/extensions\/@ferry\/jupyterlab\/static\/\d+\.[0-9a-f]+\.js/;

export async function expectParallelBrushFiltersTable(page: IJupyterLabPageFixture, view: Locator, runs: number): Promise<void> {
  const rows = view.locator('.ferry-compare-table tr[data-run]');
  await expect(rows).toHaveCount(runs);
  const fetched = page.waitForResponse((response) => EXTENSION_CHUNK.test(response.url()));
  await view.locator('.ferry-compare-view-parallel').click();
  await fetched; // the chart's chunk is asked for only now
  const chart = view.locator('.ferry-compare-explore-chart');
  await expect(chart.locator('canvas').first()).toBeVisible();

  // The axes sit evenly between the chart's side margins (60 and 90 px, see shared/ui's explore/options.ts); drag the loss axis from its bottom to its middle.
  const axes = await view
    .locator('.ferry-compare-table thead tr:first-child th[data-column]')
    .evaluateAll((ths) => ths.map((th) => (th as HTMLElement).dataset.column!).filter((key) => key.startsWith('parameter:') || key.startsWith('metric:')));
  const box = (await chart.boundingBox())!;
  const [top, bottom] = [50, 30];
  const x = box.x + 60 + ((box.width - 150) * axes.indexOf('metric:loss')) / (axes.length - 1);
  await page.mouse.move(x, box.y + box.height - bottom - 1);
  await page.mouse.down();
  await page.mouse.move(x, box.y + top + (box.height - top - bottom) * 0.75, { steps: 5 });
  await page.mouse.move(x, box.y + top + (box.height - top - bottom) * 0.5, { steps: 5 });
  await page.mouse.up();

  const count = view.locator('.ferry-compare-brushed-count');
  await expect(count).toHaveText(new RegExp(`^\\d+ of ${runs} runs$`));
  const kept = Number(/^(\d+)/.exec((await count.textContent())!)![1]);
  expect(kept, 'the brush keeps some of the runs').toBeGreaterThan(0);
  expect(kept).toBeLessThan(runs);
  await expect(rows).toHaveCount(kept);
  await view.locator('.ferry-compare-clear-brush').click();
  await expect(rows).toHaveCount(runs);
}
