import '../testing/dom.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type uPlot from 'uplot';
import { render, TestHost, user, type RenderedView } from '../testing/view-harness.js';
import { MetricChart } from './MetricChart.js';
import { MetricsView } from './MetricsView.js';

const p = (step: number, value: number) => ({ step, value, time: 1_700_000_000 + step });

let host: TestHost;
let view: RenderedView;
const $$ = (selector: string) => [...view.container.querySelectorAll<HTMLElement>(selector)];
const legend = (chart: HTMLElement) => [...chart.querySelectorAll('.u-legend .u-series .u-label')].map((l) => l.textContent).slice(1);
const summaryRows = () => $$('.ferry-series-summary tbody tr').map((row) => [...row.children].map((cell) => cell.textContent));

beforeEach(() => {
  host = new TestHost();
  view = render(<MetricsView host={host} />);
});
afterEach(() => view.unmount());

describe('metrics view', () => {
  test('one chart per metric, with a legend, updating in place as points arrive', () => {
    assert.deepEqual(host.posted, [{ type: 'ready', view: 'metrics', protocol: 1 }]);
    host.send({
      type: 'metrics/init',
      runs: [
        {
          runId: 'r1',
          label: 'run 1',
          series: [
            { stepName: 'train', name: 'loss', points: [p(0, 0.9), p(1, 0.7)] },
            { stepName: 'train', name: 'accuracy', points: [p(0, 0.4)] },
          ],
        },
      ],
    });
    const charts = $$('.ferry-chart');
    assert.deepEqual(charts.map((c) => c.querySelector('figcaption')!.textContent), ['loss', 'accuracy']);
    assert.deepEqual(legend(charts[0]!), ['loss']);
    const canvas = charts[0]!.querySelector('canvas');
    assert.ok(canvas, 'uPlot drew the chart');

    host.send({ type: 'metrics/append', runId: 'r1', stepName: 'train', name: 'loss', points: [p(2, 0.5)] });
    assert.equal(charts[0]!.querySelector('canvas'), canvas, 'the same chart, not a new one');
    assert.deepEqual(summaryRows()[0], ['loss', '0.5', '0.5', '0.9', '3']);
    assert.match(view.container.querySelector('.ferry-toolbar')!.textContent!, /updating live/);
    host.send({ type: 'metrics/end', runId: 'r1', state: 'succeeded' });
    assert.doesNotMatch(view.container.querySelector('.ferry-toolbar')!.textContent!, /updating live/);
  });

  test('several runs overlay in one chart per metric (compare runs), a new run joins live', () => {
    host.send({
      type: 'metrics/init',
      runs: [
        { runId: 'r1', label: 'lr=0.1', series: [{ stepName: 'train', name: 'loss', points: [p(0, 1), p(1, 0.8)] }] },
        { runId: 'r2', label: 'lr=0.01', series: [{ stepName: 'train', name: 'loss', points: [p(0, 1.2)] }] },
      ],
    });
    const [chart] = $$('.ferry-chart');
    assert.deepEqual(legend(chart!), ['lr=0.1', 'lr=0.01']);
    host.send({ type: 'metrics/append', runId: 'r3', stepName: 'train', name: 'loss', points: [p(0, 2)] });
    assert.deepEqual(legend($$('.ferry-chart')[0]!), ['lr=0.1', 'lr=0.01', 'r3']);
    assert.equal($$('.ferry-chart')[0], chart);

    user(() => view.container.querySelector<HTMLInputElement>('.ferry-toolbar input[type=checkbox]')!.click());
    assert.equal($$('.ferry-chart').length, 1, 'one chart for everything on request');
  });

  test('says so when no metric was logged', () => {
    host.send({ type: 'metrics/init', runs: [{ runId: 'r1', label: 'run 1', series: [] }] });
    assert.match(view.container.textContent!, /No metrics logged yet/);
  });
});

describe('metric chart', () => {
  test('hands new points and new series to the same uPlot instance', () => {
    const charts: uPlot[] = [];
    const keep = (chart: uPlot) => charts.push(chart);
    const loss = { key: 'loss', label: 'loss', points: [p(0, 1)] };
    const chart = render(<MetricChart title="loss" series={[loss]} onChart={keep} />);
    chart.rerender(<MetricChart title="loss" series={[{ ...loss, points: [p(0, 1), p(1, 0.5)] }]} onChart={keep} />);
    assert.equal(charts.length, 1);
    assert.deepEqual(charts[0]!.data, [[0, 1], [1, 0.5]]);
    chart.rerender(<MetricChart title="loss" series={[loss, { key: 'val', label: 'val_loss', points: [p(1, 2)] }]} onChart={keep} />);
    assert.equal(charts.length, 1);
    assert.deepEqual(charts[0]!.series.map((s) => s.label), ['step', 'loss', 'val_loss']);
    assert.deepEqual(charts[0]!.data, [[0, 1], [1, null], [null, 2]]);
    chart.unmount();
  });
});
