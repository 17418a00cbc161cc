import '../../testing/dom.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { sweepComparison } from '../../testing/compare-fixtures.js';
import { runLabel, tableColumns } from '../runs-table.js';
import { exploreAxes, type BrushRanges } from './axes.js';
import { createExploreChart, type ExploreChartElement } from './chart.js';
import type { ExploreChart, ExploreRun, ExploreSpec } from './types.js';

// ECharts itself, in happy-dom (whose canvas draws nothing): what it is told and what it reports.
const compare = sweepComparison();
const axes = exploreAxes(compare.runs, tableColumns(compare, { allParameters: false, choices: new Map() }), compare.differingParameters);
const runs: ExploreRun[] = compare.runs.map((run) => ({ run, label: runLabel(run, compare.differingParameters), color: '#3794ff', dashed: false }));
const theme = { series: ['#3794ff'], text: '#888888', grid: '#444444' };
const parallel = (brush: BrushRanges): ExploreSpec => ({ kind: 'parallel', runs, axes, theme, brush });

let element: ExploreChartElement;
let chart: ExploreChart;
let brushes: Array<[string, Array<[number, number]>]>;

/** The ranges ECharts holds on each parallel axis. */
function onAxes(): Record<string, number[][]> {
  const model = (element.ferryChart as unknown as { getModel(): { getComponent(type: string, index: number): { id: string; activeIntervals: number[][] } | undefined } }).getModel();
  const held: Record<string, number[][]> = {};
  for (let i = 0; model.getComponent('parallelAxis', i); i++) {
    const axis = model.getComponent('parallelAxis', i)!;
    if (axis.activeIntervals.length) held[axis.id] = axis.activeIntervals;
  }
  return held;
}

beforeEach(() => {
  element = document.createElement('div');
  document.body.appendChild(element);
  brushes = [];
  chart = createExploreChart(element, { onBrush: (axis, ranges) => brushes.push([axis, ranges]) });
});
afterEach(() => {
  chart.dispose();
  element.remove();
});

describe('the ECharts chart', () => {
  test('a brush on an axis is reported; a live update keeps it on the chart', () => {
    chart.show(parallel(new Map()));
    assert.ok(element.ferryChart, 'the instance is on the element for end-to-end tests');
    element.ferryChart!.dispatchAction({ type: 'axisAreaSelect', parallelAxisId: 'metric:loss', intervals: [[0.2, 0.45]] });
    assert.deepEqual(brushes, [['metric:loss', [[0.2, 0.45]]]]);
    const brushed = new Map([['metric:loss', [[0.2, 0.45] as [number, number]]]]);
    // The view answers with the same brush, then a live update changes a run's value.
    chart.show(parallel(brushed));
    const updated = runs.map((entry, i) => (i === 0 ? { ...entry, run: { ...entry.run, parameters: { ...entry.run.parameters, epochs: 4 } } } : entry));
    chart.show({ kind: 'parallel', runs: updated, axes, theme, brush: brushed });
    assert.deepEqual(onAxes(), { 'metric:loss': [[0.2, 0.45]] });
    assert.equal(brushes.length, 1, 'nothing dispatched again');
  });

  test("the view's brush is put on a new chart, and cleared from it", () => {
    chart.show(parallel(new Map([['parameter:epochs', [[2.5, 3]]]])));
    assert.deepEqual(onAxes(), { 'parameter:epochs': [[2.5, 3]] });
    chart.show(parallel(new Map()));
    assert.deepEqual(onAxes(), {});
  });
});
