import '../testing/dom.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { CompareHistoryRequestMessage, CompareResponse, HistoryResponse } from '@ferry/core';
import type uPlot from 'uplot';
import { setViewportHeight } from '../testing/dom.js';
import { render, TestHost, user, type RenderedView } from '../testing/view-harness.js';
import { CompareView } from './CompareView.js';
import { sweepComparison, sweepHistory } from '../testing/compare-fixtures.js';

let host: TestHost;
let view: RenderedView;
let charts: Map<string, uPlot>;
const $ = (selector: string) => view.container.querySelector<HTMLElement>(selector)!;
const lastRequest = () => host.posted.filter((m): m is CompareHistoryRequestMessage => m.type === 'compare/history').at(-1)!;
const chartsSettle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The sweep, where r-a logs epoch 0 at step 0 and epoch 1 at step 2, r-b one epoch a step, r-c and r-d none. */
const EPOCHS: Record<string, { step: number[]; value: number[] }> = { 'r-a': { step: [0, 2], value: [0, 1] }, 'r-b': { step: [0, 1, 2], value: [0, 1, 2] } };

function withEpochs(): CompareResponse {
  const compare = sweepComparison();
  for (const run of compare.runs) {
    const epochs = EPOCHS[run.id];
    if (epochs) run.metrics.push({ stepName: 'train', name: 'epoch', count: epochs.step.length, last: epochs.value.at(-1)!, lastStep: 2 });
  }
  compare.metrics.push({ name: 'epoch', reducer: 'last' });
  return compare;
}

function historyWithEpochs(): HistoryResponse {
  const history = sweepHistory();
  for (const [runId, epochs] of Object.entries(EPOCHS)) {
    history.series.push({ runId, stepName: 'train', name: 'epoch', count: epochs.step.length, complete: true, step: epochs.step, time: epochs.step.map((s) => 100 + s), value: epochs.value });
  }
  return history;
}

beforeEach(() => {
  setViewportHeight(0);
  charts = new Map();
  host = new TestHost();
  view = render(<CompareView host={host} onChart={(metric, chart) => charts.set(metric, chart)} />);
  host.send({ type: 'compare/init', compare: withEpochs() });
});
afterEach(() => view.unmount());

test('on the epoch axis each point is drawn at its step\'s epoch, and the runs without an epoch are named', async () => {
  assert.equal($('.ferry-compare-no-epoch'), null, 'no note on the step axis');
  user(() => {
    const select = $('.ferry-compare-x') as HTMLSelectElement;
    select.value = 'epoch';
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  assert.equal(lastRequest().x, 'step', 'the host reads steps');
  assert.ok(lastRequest().metrics.includes('epoch'));
  host.send({ type: 'compare/history', request: lastRequest().request, history: historyWithEpochs() });
  await chartsSettle();

  const loss = charts.get('loss')!;
  assert.equal(loss.series[0]!.label, 'epoch');
  assert.deepEqual(loss.data[0], [0, 1, 2]);
  assert.deepEqual(loss.data[1], [0.5, 0.41, null], 'r-a: steps 0–1 are epoch 0 (its last point shows), step 2 epoch 1');
  assert.deepEqual(loss.data[2], [0.8, 0.3, 0.32], 'r-b: one epoch a step');
  assert.equal(loss.series.length, 3, 'r-c and r-d are left out');
  assert.equal(charts.get('epoch')?.root.isConnected ?? false, false, 'no chart of the epoch against itself');
  assert.match($('.ferry-compare-no-epoch').textContent!, /No epoch logged.*epochs=3, learning_rate=0\.1; epochs=3, learning_rate=0\.2/);

  // A zoom on epochs 1.5–2.5 asks for the steps they span: from r-b's epoch 1 (step 1) to the last step held.
  const left = loss.valToPos(1.5, 'x');
  const right = loss.valToPos(2.5, 'x');
  user(() => loss.setSelect({ left, width: right - left, top: 0, height: 10 }));
  assert.deepEqual([lastRequest().x, lastRequest().x0, lastRequest().x1], ['step', 1, 2]);
});
