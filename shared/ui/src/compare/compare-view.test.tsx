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

describe('compare charts', () => {
  const pick = (selector: string, value: string) =>
    user(() => {
      const select = $(selector) as HTMLSelectElement;
      select.value = value;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
  const tick = (selector: string) => user(() => $(selector).click());
  /** The pointer at a value of a chart, as uPlot reads a mouse event over its plot (happy-dom puts the plot at 0, 0). */
  const pointerAt = (chart: uPlot, type: string, x: number, y: number) =>
    user(() => chart.over.dispatchEvent(new MouseEvent(type, { clientX: chart.valToPos(x, 'x'), clientY: chart.valToPos(y, 'y'), movementX: 1, bubbles: true })));

  test('relative time counts seconds from each run\'s first point, and a zoom on it asks for every run\'s part of the range', async () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    pick('.ferry-compare-x', 'relative');
    assert.equal(lastRequest().x, 'time', 'the host reads wall time');
    const history = sweepHistory();
    history.x = 'time';
    // r-b started 50 s after the others.
    for (const series of history.series) if (series.runId === 'r-b') series.time = series.time.map((t) => t + 50);
    answerHistory(history);
    await chartsSettle();
    const loss = charts.get('loss')!;
    assert.equal(loss.series[0]!.label, 'seconds');
    assert.deepEqual(loss.data[0], [0, 1, 2], 'the runs line up from 0');
    assert.deepEqual(loss.data[2], [0.8, 0.3, 0.32], 'r-b on the same x as the others');
    assert.deepEqual(charts.get('accuracy')!.data[0], [3], 'accuracy counts from the run\'s first point of any metric');

    const left = loss.valToPos(0.5, 'x');
    const right = loss.valToPos(1.5, 'x');
    user(() => loss.setSelect({ left, width: right - left, top: 0, height: 10 }));
    const zoomed = lastRequest();
    assert.equal(zoomed.x, 'time');
    assert.ok(Math.abs(zoomed.x0! - 100.5) < 0.01 && Math.abs(zoomed.x1! - 151.5) < 0.01, `asked for [${zoomed.x0}, ${zoomed.x1}]`);
    // The zoomed answer starts later than the runs did: x still counts from their first points.
    const part = sweepHistory();
    part.series = part.series.filter((s) => s.name === 'loss').map((s) => ({ ...s, step: [1], time: [s.runId === 'r-b' ? 151 : 101], value: [s.value[1]!] }));
    answerHistory(part);
    await chartsSettle();
    assert.deepEqual(charts.get('loss')!.data[0], [1]);
  });

  test('a y zoom narrows the value range alone, asks the host for nothing, and reset lets y range itself again', async () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    answerHistory();
    await chartsSettle();
    const requests = historyRequests().length;
    tick('.ferry-compare-zoom-y');
    const loss = charts.get('loss')!;
    const top = loss.valToPos(0.7, 'y');
    const bottom = loss.valToPos(0.3, 'y');
    user(() => loss.setSelect({ left: 0, width: 0, top, height: bottom - top }));
    await chartsSettle();
    const zoomed = charts.get('loss')!;
    assert.ok(Math.abs(zoomed.scales.y.min! - 0.3) < 0.01 && Math.abs(zoomed.scales.y.max! - 0.7) < 0.01, `y is [${zoomed.scales.y.min}, ${zoomed.scales.y.max}]`);
    assert.deepEqual([zoomed.scales.x.min, zoomed.scales.x.max], [0, 2], 'x untouched');
    assert.equal(historyRequests().length, requests, 'nothing asked');
    assert.ok(charts.get('accuracy')!.scales.y.max! > 0.85, 'the other metric keeps its range');

    host.send({ type: 'compare/points', runId: 'r-b', stepName: 'train', name: 'loss', from: 3, step: [3], time: [104], value: [0.1] });
    await chartsSettle();
    assert.ok(Math.abs(charts.get('loss')!.scales.y.min! - 0.3) < 0.01, 'a live point keeps the y zoom');

    user(() => $('.ferry-compare-reset-zoom').click());
    await chartsSettle();
    assert.ok(charts.get('loss')!.scales.y.min! <= 0.1 && charts.get('loss')!.scales.y.max! >= 1.1, 'y fits every point again');
    assert.equal(historyRequests().length, requests, 'x was not zoomed: still nothing asked');
    assert.equal(($('.ferry-compare-reset-zoom') as HTMLButtonElement).disabled, true);
  });

  test('above 20 runs, hovering a line or a row highlights its run in every chart and fades the others', async () => {
    const many = sweepComparison();
    const template = many.runs[0]!;
    many.runs = Array.from({ length: 24 }, (_, i): ComparedRun => ({ ...template, id: `r-${i}`, parameters: { ...template.parameters, learning_rate: i } }));
    many.differingParameters = ['learning_rate'];
    host.send({ type: 'compare/init', compare: many });
    answerHistory({
      x: 'step',
      width: 600,
      series: many.runs.flatMap((run, i) => [
        { runId: run.id, stepName: 'train', name: 'loss', count: 3, complete: true, step: [0, 1, 2], time: [100, 101, 102], value: [i, i, i] },
        { runId: run.id, stepName: 'evaluate', name: 'accuracy', count: 1, complete: true, step: [0], time: [103], value: [i / 100] },
      ]),
    });
    await chartsSettle();
    const alphas = (chart: uPlot) => chart.series.slice(1).map((s) => s.alpha);
    const highlighted = () => $$('.ferry-chart').map((figure) => figure.dataset.highlighted);

    pointerAt(charts.get('loss')!, 'mousemove', 1, 7);
    assert.deepEqual(highlighted(), ['r-7', 'r-7'], 'the same run in both charts');
    for (const metric of ['loss', 'accuracy']) {
      const chart = charts.get(metric)!;
      assert.deepEqual(alphas(chart).map((alpha, i) => (i === 7 ? alpha : alpha! < 1)), [...Array(7).fill(true), 1, ...Array(16).fill(true)]);
    }
    assert.ok($('tr[data-run="r-7"]').classList.contains('ferry-compare-highlighted'));

    user(() => charts.get('loss')!.over.dispatchEvent(new MouseEvent('mouseleave')));
    assert.deepEqual(highlighted(), [undefined, undefined]);
    assert.ok(alphas(charts.get('loss')!).every((alpha) => alpha === 1), 'every line as it was');

    user(() => $('tr[data-run="r-3"]').dispatchEvent(new MouseEvent('mouseover', { bubbles: true })));
    assert.deepEqual(highlighted(), ['r-3', 'r-3'], 'a hovered row highlights its run');
    user(() => $('tr[data-run="r-3"]').dispatchEvent(new MouseEvent('mouseout', { bubbles: true })));
    assert.deepEqual(highlighted(), [undefined, undefined]);
  });

  test('with few runs, hovering fades nothing', async () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    answerHistory();
    await chartsSettle();
    pointerAt(charts.get('loss')!, 'mousemove', 1, 0.5);
    assert.equal($('.ferry-chart[data-metric="loss"]').dataset.highlighted, undefined);
    assert.ok(charts.get('loss')!.series.slice(1).every((s) => s.alpha === 1));
  });

  test('clicking a point asks the host to open the log of the step that logged it; a click away from the lines does not', async () => {
    host.send({ type: 'compare/init', compare: sweepComparison() });
    answerHistory();
    await chartsSettle();
    const loss = charts.get('loss')!;
    const clickAt = (y: number) => ['mousemove', 'mousedown', 'mouseup', 'click'].forEach((type) => pointerAt(loss, type, 1, y));
    clickAt(0.3);
    assert.deepEqual(host.posted.at(-1), { type: 'compare/openLog', runId: 'r-b', step: 'train' });
    const posted = host.posted.length;
    clickAt(0.95);
    assert.equal(host.posted.length, posted, 'no line near 0.95 at step 1');

    // A drag that ends over a line zooms and opens nothing.
    pointerAt(loss, 'mousemove', 0.2, 0.3);
    pointerAt(loss, 'mousedown', 0.2, 0.3);
    pointerAt(loss, 'mousemove', 1, 0.3);
    pointerAt(loss, 'mouseup', 1, 0.3);
    pointerAt(loss, 'click', 1, 0.3);
    assert.ok(lastRequest().x0! > 0.1, 'zoomed');
    assert.equal(host.posted.filter((m) => m.type === 'compare/openLog').length, 1);
  });
});

describe('seed groups', () => {
  test('"group seeds" draws one mean line per group of runs that differ only in a seed, inside a min–max band', async () => {
    const seeded = sweepComparison();
    seeded.runs.forEach((run, i) => (run.parameters = { learning_rate: i < 2 ? 0.1 : 0.2, seed: i % 2 }));
    seeded.parameters = ['learning_rate', 'seed'];
    seeded.differingParameters = ['learning_rate', 'seed'];
    host.send({ type: 'compare/init', compare: seeded });
    answerHistory();
    user(() => $('.ferry-compare-group-seeds').click());
    await chartsSettle();
    const loss = charts.get('loss')!;
    assert.deepEqual(loss.series.slice(1).map((s) => s.label), [
      'learning_rate=0.1 · 2 runs (max)',
      'learning_rate=0.1 · 2 runs (min)',
      'learning_rate=0.1 · 2 runs',
      'learning_rate=0.2 · 2 runs (max)',
      'learning_rate=0.2 · 2 runs (min)',
      'learning_rate=0.2 · 2 runs',
    ]);
    const rounded = (values: ArrayLike<number | null | undefined>) => Array.from(values, (v) => Number(v!.toFixed(3)));
    assert.deepEqual(rounded(loss.data[3]!), [0.85, 0.4, 0.365], 'the mean of r-a and r-b');
    assert.deepEqual(rounded(loss.data[1]!), [0.9, 0.5, 0.41], 'the highest');
    assert.deepEqual(rounded(loss.data[5]!), [0.95, 0.2, 0.25], 'the lowest of r-c and r-d');
    // uPlot keeps the bands it was given (its typings leave them out of the instance).
    const bands = (loss as uPlot & { bands: uPlot.Band[] }).bands;
    assert.deepEqual(bands.map((band) => band.series), [[1, 2], [4, 5]]);
    const legendRows = $$('.ferry-chart[data-metric="loss"] .u-legend .u-series').slice(1);
    assert.deepEqual(legendRows.map((row) => !row.classList.contains('ferry-compare-raw')), [false, false, true, false, false, true], 'only the means in the legend');
    assert.equal($('.ferry-chart[data-metric="loss"]').dataset.points, '6');

    user(() => $('.ferry-compare-group-seeds').click());
    assert.equal(charts.get('loss')!.series.length, 1 + 4, 'a line per run again');
  });
});
