import '../testing/dom.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { CompareHistoryRequestMessage, ComparedRun } from '@ferry/core';
import type uPlot from 'uplot';
import { setViewportHeight } from '../testing/dom.js';
import { render, TestHost, user, type RenderedView } from '../testing/view-harness.js';
import { CompareView } from './CompareView.js';
import { sweepComparison, sweepHistory } from '../testing/compare-fixtures.js';

let host: TestHost;
let view: RenderedView;
let charts: Map<string, uPlot>;
const $ = (selector: string) => view.container.querySelector<HTMLElement>(selector)!;
const $$ = (selector: string) => [...view.container.querySelectorAll<HTMLElement>(selector)];
const headers = () => $$('.ferry-compare-table thead tr:first-child th[data-column]').map((th) => th.dataset.column);
const rowOrder = () => $$('.ferry-compare-table tr[data-run]').map((row) => row.dataset.run);
const historyRequests = () => host.posted.filter((m): m is CompareHistoryRequestMessage => m.type === 'compare/history');
const lastRequest = () => historyRequests().at(-1)!;
const answerHistory = (history = sweepHistory()) => host.send({ type: 'compare/history', request: lastRequest().request, history });

/** uPlot sets its scales in a microtask after new data. */
const chartsSettle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  setViewportHeight(0);
  charts = new Map();
  host = new TestHost();
  view = render(<CompareView host={host} onChart={(metric, chart) => charts.set(metric, chart)} />);
});
afterEach(() => view.unmount());

describe('compare view', () => {
  test('says ready, then asks the host for the histories of every metric at its width', () => {
    assert.deepEqual(host.posted, [{ type: 'ready', view: 'compare', protocol: 1 }]);
    host.send({ type: 'compare/init', compare: sweepComparison() });
    const request = lastRequest();
    assert.deepEqual(request.metrics, ['loss', 'accuracy']);
    assert.equal(request.x, 'step');
    assert.ok(request.width >= 100);
    assert.equal(request.x0, undefined, 'not zoomed');
  });

  test('shows only the parameters that differ until "all parameters" is ticked', () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    const parameterColumns = () => headers().filter((key) => key!.startsWith('parameter:'));
    assert.deepEqual(parameterColumns(), ['parameter:epochs', 'parameter:learning_rate']);
    user(() => $('.ferry-compare-all-parameters').click());
    assert.deepEqual(parameterColumns(), ['parameter:epochs', 'parameter:learning_rate', 'parameter:n_samples']);
    user(() => $('.ferry-compare-all-parameters').click());
    assert.deepEqual(parameterColumns(), ['parameter:epochs', 'parameter:learning_rate']);
  });

  test('job facts are columns; facts no target records are left out', () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    const facts = headers().filter((key) => key!.startsWith('fact:'));
    assert.deepEqual(facts, ['fact:target', 'fact:state', 'fact:exitCode', 'fact:queueWaitSeconds', 'fact:durationSeconds', 'fact:jobIds']);
    assert.equal($('tr[data-run="r-c"] td[data-column="fact:durationSeconds"]').textContent, '4.0s', 'duration of the third run');
  });

  test('clicking a metric header sorts by it, best first by its goal; again reverses; the base run stays on top', () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    assert.deepEqual(rowOrder(), ['r-a', 'r-b', 'r-c', 'r-d'], 'the host order, the first run pinned as base');
    assert.equal($('thead tr[data-run]').dataset.run, 'r-a');

    const sortBy = (metric: string) => user(() => $(`th[data-column="metric:${metric}"] .ferry-compare-sort`).click());
    sortBy('loss'); // lower is better: min loss ascending
    assert.deepEqual(rowOrder(), ['r-a', 'r-d', 'r-b', 'r-c']);
    sortBy('loss');
    assert.deepEqual(rowOrder(), ['r-a', 'r-c', 'r-b', 'r-d']);
    sortBy('accuracy'); // higher is better: max accuracy descending
    assert.deepEqual(rowOrder(), ['r-a', 'r-b', 'r-d', 'r-c']);
    assert.equal($('th[data-column="metric:accuracy"]').getAttribute('aria-sort'), 'descending');

    user(() => $('tr[data-run="r-a"] .ferry-compare-pin').click()); // unpin: every run sorts
    assert.deepEqual(rowOrder(), ['r-b', 'r-d', 'r-a', 'r-c']);
    user(() => $('tr[data-run="r-c"] .ferry-compare-pin').click());
    assert.deepEqual(rowOrder(), ['r-c', 'r-b', 'r-d', 'r-a']);
    assert.ok($('tr[data-run="r-b"] td.ferry-compare-parameter').classList.contains('ferry-compare-differs'), 'epochs 2 vs the base 3');
  });

  test('a metric column takes another reducer and goal; the best value is marked', () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    const lossCells = () => $$('tr[data-run] td[data-column="metric:loss"]').map((td) => td.textContent);
    assert.deepEqual(lossCells(), ['0.41', '0.3', '0.6', '0.2']);
    assert.deepEqual($$('td.ferry-compare-best').map((td) => td.closest('tr')!.dataset.run), ['r-b', 'r-d'], 'highest accuracy, lowest loss');

    const reducer = $('th[data-column="metric:loss"] select') as HTMLSelectElement;
    user(() => {
      reducer.value = 'last';
      reducer.dispatchEvent(new Event('change', { bubbles: true }));
    });
    assert.deepEqual(lossCells(), ['0.41', '0.32', '0.6', '0.25']);
    user(() => $('th[data-column="metric:loss"] .ferry-compare-goal').click()); // lower → higher is better
    user(() => $('th[data-column="metric:loss"] .ferry-compare-sort').click());
    assert.deepEqual(rowOrder(), ['r-a', 'r-c', 'r-b', 'r-d'], 'highest last loss first');
  });

  test('one chart per metric with one line per run, named by its differing parameters, in the colour of its table swatch', () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    answerHistory();
    assert.deepEqual($$('.ferry-chart').map((chart) => chart.dataset.metric), ['loss', 'accuracy']);
    const loss = charts.get('loss')!;
    assert.deepEqual(loss.series.slice(1).map((s) => s.label), [
      'epochs=2, learning_rate=0.1',
      'epochs=2, learning_rate=0.2',
      'epochs=3, learning_rate=0.1',
      'epochs=3, learning_rate=0.2',
    ]);
    const swatches = new Map($$('tr[data-run]').map((row) => [row.dataset.run, row.querySelector<HTMLElement>('.ferry-compare-swatch')!.dataset.color]));
    const strokes = (chart: uPlot) => chart.series.slice(1).map((s) => (typeof s.stroke === 'function' ? s.stroke(chart, 1) : s.stroke));
    const expected = ['r-a', 'r-b', 'r-c', 'r-d'].map((id) => swatches.get(id));
    assert.equal(new Set(expected).size, 4, 'four different colours');
    assert.deepEqual(strokes(loss), expected);
    assert.deepEqual(strokes(charts.get('accuracy')!), expected, 'the same colour per run in every chart');

    // Sorting the table moves rows, not colours.
    user(() => $('th[data-column="metric:loss"] .ferry-compare-sort').click());
    assert.deepEqual(strokes(charts.get('loss')!), expected);
  });

  test('smoothing draws an average over each line with the raw line kept, faded', () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    answerHistory();
    const slider = $('.ferry-compare-smoothing') as HTMLInputElement;
    user(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(slider, '0.5');
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const loss = charts.get('loss')!;
    assert.equal(loss.series.length, 1 + 8);
    assert.equal(loss.series[1]!.label, 'epochs=2, learning_rate=0.1 (raw)');
    assert.deepEqual(loss.data[1], [0.9, 0.5, 0.41]);
    const legendRows = $$('.ferry-chart[data-metric="loss"] .u-legend .u-series').slice(1);
    assert.deepEqual(legendRows.map((row) => row.classList.contains('ferry-compare-raw')), [true, false, true, false, true, false, true, false], 'raw lines have no legend row');
    assert.deepEqual(loss.data[2]!.map((v) => Number(v!.toFixed(4))), [0.9, 0.6333, 0.5057]);
  });

  test('live points append to the lines, and the zoom and the sort survive them', async () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    answerHistory();
    await chartsSettle();
    user(() => $('th[data-column="metric:loss"] .ferry-compare-sort').click());
    const order = rowOrder();

    // Drag over the loss chart: the view zooms and asks for that range.
    const loss = charts.get('loss')!;
    const left = loss.valToPos(0.5, 'x');
    const right = loss.valToPos(1.5, 'x');
    user(() => loss.setSelect({ left, width: right - left, top: 0, height: 10 }));
    const zoomed = lastRequest();
    assert.ok(Math.abs(zoomed.x0! - 0.5) < 0.01 && Math.abs(zoomed.x1! - 1.5) < 0.01, `asked for [${zoomed.x0}, ${zoomed.x1}]`);
    answerHistory();
    assert.equal(($('.ferry-compare-reset-zoom') as HTMLButtonElement).disabled, false);

    host.send({ type: 'compare/points', runId: 'r-b', stepName: 'train', name: 'loss', from: 3, step: [3, 4], time: [104, 105], value: [0.28, null] });
    await chartsSettle();
    const current = charts.get('loss')!;
    assert.deepEqual(current.data[0], [0, 1, 2, 3, 4]);
    assert.deepEqual(current.data[2], [0.8, 0.3, 0.32, 0.28, null], 'r-b grew; NaN is a gap');
    assert.deepEqual(current.data[1], [0.9, 0.5, 0.41, null, null]);
    assert.equal($('.ferry-chart[data-metric="loss"]').dataset.points, '13', 'the figure counts the points drawn');
    assert.ok(Math.abs(current.scales.x.min! - 0.5) < 0.01 && Math.abs(current.scales.x.max! - 1.5) < 0.01, 'still zoomed');
    assert.deepEqual(rowOrder(), order, 'still sorted');

    // A delta already in the history (its points counted) adds nothing.
    host.send({ type: 'compare/points', runId: 'r-b', stepName: 'train', name: 'loss', from: 4, step: [4], time: [105], value: [null] });
    assert.equal(charts.get('loss')!.data[0].length, 5);

    user(() => $('.ferry-compare-reset-zoom').click());
    assert.equal(lastRequest().x0, undefined, 'reset asks for everything again');
  });

  test('the x axis switches to wall time by asking for the histories on it', () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    const x = $('.ferry-compare-x') as HTMLSelectElement;
    user(() => {
      x.value = 'time';
      x.dispatchEvent(new Event('change', { bubbles: true }));
    });
    assert.equal(lastRequest().x, 'time');
  });

  test('only the rows in view are in the DOM', () => {
    setViewportHeight(260);
    const many = sweepComparison();
    const template = many.runs[0]!;
    many.runs = Array.from({ length: 500 }, (_, i): ComparedRun => ({ ...template, id: `r-${i}`, parameters: { ...template.parameters, seed: i } }));
    many.differingParameters = ['seed'];
    host.send({ type: 'compare/init', compare: many });
    const shown = rowOrder();
    assert.ok(shown.length < 40, `${shown.length} rows in the DOM`);
    const scroller = $('.ferry-compare-scroller');
    user(() => {
      scroller.scrollTop = 26 * 300;
      scroller.dispatchEvent(new Event('scroll'));
    });
    assert.ok(rowOrder().includes('r-305'), 'the rows scrolled to are drawn');
    assert.ok(!rowOrder().includes('r-1'), 'the rows scrolled past are not');
    assert.ok(rowOrder().includes('r-0'), 'the base run stays pinned');
  });

  test('malformed messages are dropped and host errors shown', () => {
    host.send({ type: 'compare/init', compare: { runs: 'none' } });
    assert.match($('.ferry-compare-status').textContent!, /Waiting/);
    host.send({ type: 'error', message: 'the server is not running' });
    assert.equal($('[role=alert]').textContent, 'the server is not running');
  });
});
