import '../../testing/dom.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ComparedRun } from '@ferry/core';
import { act } from 'react';
import { setViewportHeight } from '../../testing/dom.js';
import { sweepComparison } from '../../testing/compare-fixtures.js';
import { render, TestHost, user, type RenderedView } from '../../testing/view-harness.js';
import { CompareView } from '../CompareView.js';
import type { ExploreChartEvents, ExploreModule, ExploreSpec } from './types.js';

/** Stands for the ECharts module (happy-dom draws no canvas): records what it is asked to draw; `brush` plays a drag on an axis. */
class FakeExplore implements ExploreModule {
  loads = 0;
  shown: ExploreSpec[] = [];
  events?: ExploreChartEvents;
  charts = 0;
  createExploreChart(_element: HTMLElement, events: ExploreChartEvents) {
    this.charts += 1;
    this.events = events;
    return { show: (spec: ExploreSpec) => void this.shown.push(spec), resize() {}, dispose() {} };
  }
  brush(axis: string, ranges: Array<[number, number]>) {
    act(() => this.events!.onBrush(axis, ranges));
  }
  get last() {
    return this.shown.at(-1)!;
  }
}

let host: TestHost;
let view: RenderedView;
let explore: FakeExplore;
const $ = (selector: string) => view.container.querySelector<HTMLElement>(selector);
const rows = () => [...view.container.querySelectorAll<HTMLElement>('.ferry-compare-table tr[data-run]')].map((row) => row.dataset.run);
const load = () => {
  explore.loads += 1;
  return Promise.resolve(explore);
};
/** The loader's promise resolves, React renders what it brought. */
const loaded = () => act(async () => {});

beforeEach(() => {
  setViewportHeight(0);
  host = new TestHost();
  explore = new FakeExplore();
  view = render(<CompareView host={host} loadExplore={load} />);
  host.send({ type: 'compare/init', compare: sweepComparison() });
});
afterEach(() => view.unmount());

describe('compare view: exploration charts', () => {
  test('the chart module is loaded only when the user opens an exploration chart; it replaces the curves', async () => {
    assert.equal(explore.loads, 0);
    assert.equal($('.ferry-compare-view-curves')!.getAttribute('aria-pressed'), 'true');
    user(() => $('.ferry-compare-view-parallel')!.click());
    await loaded();
    assert.equal(explore.loads, 1);
    assert.equal(explore.last.kind, 'parallel');
    assert.deepEqual(explore.last.runs.map((run) => run.run.id), ['r-a', 'r-b', 'r-c', 'r-d']);
    assert.equal($('.ferry-compare-charts')!.children.length, 0, 'no curves under it');
    user(() => $('.ferry-compare-view-bars')!.click());
    await loaded();
    assert.equal(explore.last.kind, 'bars');
    assert.equal(explore.charts, 2, 'a chart of the new kind');
  });

  test('brushing an axis filters the table and says how many runs it keeps; clearing shows all again', async () => {
    user(() => $('.ferry-compare-view-parallel')!.click());
    await loaded();
    assert.equal($('.ferry-compare-brushed'), null);
    explore.brush('metric:loss', [[0.25, 0.45]]); // min loss: r-a 0.41, r-b 0.3
    assert.deepEqual(rows(), ['r-a', 'r-b']);
    assert.equal($('.ferry-compare-brushed-count')!.textContent, '2 of 4 runs');
    explore.brush('parameter:learning_rate', [[0.15, 0.2]]);
    assert.deepEqual(rows(), ['r-b']);
    assert.equal($('.ferry-compare-brushed-count')!.textContent, '1 of 4 runs');
    assert.equal(explore.last.kind === 'parallel' && explore.last.brush.size, 2, 'the chart keeps both brushes');
    assert.equal(explore.last.runs.length, 4, 'parallel coordinates keep every line (the others fade)');

    explore.brush('parameter:learning_rate', []);
    assert.deepEqual(rows(), ['r-a', 'r-b']);
    user(() => $('.ferry-compare-clear-brush')!.click());
    assert.deepEqual(rows(), ['r-a', 'r-b', 'r-c', 'r-d']);
    assert.equal($('.ferry-compare-brushed'), null);
    assert.equal(explore.last.kind === 'parallel' && explore.last.brush.size, 0, 'the chart is told to clear its brush');
  });

  test('the brush survives live updates and a switch of chart; scatter and bars show the runs it keeps; a new comparison clears it', async () => {
    user(() => $('.ferry-compare-view-parallel')!.click());
    await loaded();
    explore.brush('metric:loss', [[0.25, 0.45]]);
    const update = sweepComparison();
    update.runs[2]!.job.state = 'running';
    host.send({ type: 'compare/table', compare: update });
    host.send({ type: 'compare/run', runId: 'r-d', state: 'running' });
    assert.deepEqual(rows(), ['r-a', 'r-b']);
    assert.equal($('.ferry-compare-brushed-count')!.textContent, '2 of 4 runs');

    user(() => $('.ferry-compare-view-scatter')!.click());
    await loaded();
    assert.equal(explore.last.kind, 'scatter');
    assert.deepEqual(explore.last.runs.map((run) => run.run.id), ['r-a', 'r-b']);
    user(() => $('.ferry-compare-view-curves')!.click());
    assert.deepEqual(rows(), ['r-a', 'r-b'], 'still filtered under the curves');

    host.send({ type: 'compare/init', compare: sweepComparison() });
    assert.deepEqual(rows(), ['r-a', 'r-b', 'r-c', 'r-d']);
  });

  test('a brushed table of many runs still draws only the rows in view', async () => {
    setViewportHeight(260);
    const many = sweepComparison();
    const template = many.runs[0]!;
    many.runs = Array.from({ length: 500 }, (_, i): ComparedRun => ({ ...template, id: `r-${i}`, parameters: { ...template.parameters, seed: i } }));
    many.differingParameters = ['seed'];
    host.send({ type: 'compare/init', compare: many });
    user(() => $('.ferry-compare-view-parallel')!.click());
    await loaded();
    explore.brush('parameter:seed', [[100, 399]]);
    assert.equal($('.ferry-compare-brushed-count')!.textContent, '300 of 500 runs');
    const shown = rows();
    assert.ok(shown.length < 40, `${shown.length} rows in the DOM`);
    assert.equal(shown[0], 'r-100', 'the first run the brush keeps (the base run is not among them)');
    const scroller = $('.ferry-compare-scroller')!;
    user(() => {
      scroller.scrollTop = 26 * 250;
      scroller.dispatchEvent(new Event('scroll'));
    });
    assert.ok(rows().includes('r-350'), 'the rows scrolled to are drawn');
    assert.ok(!rows().includes('r-420'), 'runs outside the brush are not');
  });

  test('without a loader the view offers only the curves', () => {
    view.rerender(<CompareView host={host} />);
    assert.equal($('.ferry-compare-view-parallel'), null);
  });
});
