import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ComparedRun } from '@ferry/core';
import { sweepComparison } from '../../testing/compare-fixtures.js';
import { tableColumns } from '../runs-table.js';
import { axisPosition, exploreAxes, keptRunIds, withAxisBrush, type BrushRanges } from './axes.js';

const compare = sweepComparison();
const columns = tableColumns(compare, { allParameters: true, choices: new Map() });
const axes = exploreAxes(compare.runs, columns, compare.differingParameters);
const brush = (entries: Array<[string, Array<[number, number]>]>): BrushRanges => new Map(entries);

describe('exploration axes', () => {
  test('one axis per differing parameter and per metric column, in the table order', () => {
    assert.deepEqual(
      axes.map((axis) => axis.key),
      ['parameter:epochs', 'parameter:learning_rate', 'metric:loss', 'metric:accuracy'],
      'n_samples is shown in the table but is the same everywhere',
    );
    assert.equal(axes[0]!.categories, undefined, 'numbers on a value axis');
  });

  test('a parameter that is not a number everywhere is a category axis, its values in natural order', () => {
    const runs: ComparedRun[] = compare.runs.map((run, i) => ({ ...run, parameters: { ...run.parameters, optimizer: ['sgd', 'adam', 'lion-10', 'lion-9'][i]! } }));
    const withText = exploreAxes(runs, [{ kind: 'parameter', key: 'parameter:optimizer', name: 'optimizer' }], ['optimizer']);
    assert.deepEqual(withText[0]!.categories, ['adam', 'lion-9', 'lion-10', 'sgd']);
    assert.equal(axisPosition(runs[0]!, withText[0]!), 3, 'sgd is the fourth category');
  });

  test('a metric axis reads the value the table shows, with the reducer chosen there', () => {
    const loss = axes.find((axis) => axis.key === 'metric:loss')!;
    assert.equal(axisPosition(compare.runs[0]!, loss), 0.41, 'min of r-a');
    const lastLoss = exploreAxes(compare.runs, tableColumns(compare, { allParameters: false, choices: new Map([['loss', { reducer: 'max' }]]) }), compare.differingParameters).find(
      (axis) => axis.key === 'metric:loss',
    )!;
    assert.equal(axisPosition(compare.runs[0]!, lastLoss), 0.9, 'max of r-a');
  });
});

describe('the brush as a filter of the runs', () => {
  test('nothing brushed keeps every run (no filter)', () => {
    assert.equal(keptRunIds(compare.runs, axes, new Map()), undefined);
    assert.equal(keptRunIds(compare.runs, axes, brush([['metric:loss', []]])), undefined, 'a cleared axis');
    assert.equal(keptRunIds(compare.runs, axes, brush([['metric:gone', [[0, 1]]]])), undefined, 'an axis no longer shown');
  });

  test('one brushed axis keeps the runs inside its range, ends included, whichever way it was dragged', () => {
    // min loss: r-a 0.41, r-b 0.3, r-c 0.6, r-d 0.2
    assert.deepEqual([...keptRunIds(compare.runs, axes, brush([['metric:loss', [[0.2, 0.41]]]]))!], ['r-a', 'r-b', 'r-d']);
    assert.deepEqual([...keptRunIds(compare.runs, axes, brush([['metric:loss', [[0.5, 0.25]]]]))!], ['r-a', 'r-b']);
  });

  test('several ranges on an axis keep a run inside any; several axes keep a run inside all', () => {
    assert.deepEqual([...keptRunIds(compare.runs, axes, brush([['metric:loss', [[0.1, 0.25], [0.55, 0.7]]]]))!], ['r-c', 'r-d']);
    const both = brush([
      ['metric:loss', [[0.2, 0.41]]],
      ['parameter:epochs', [[2.5, 3]]],
    ]);
    assert.deepEqual([...keptRunIds(compare.runs, axes, both)!], ['r-d'], 'epochs 3 and min loss ≤ 0.41');
    assert.equal(keptRunIds(compare.runs, axes, brush([['metric:loss', [[5, 6]]]]))!.size, 0, 'a range nobody is in keeps none');
  });

  test('a run without a value on a brushed axis is out', () => {
    const runs = compare.runs.map((run) => (run.id === 'r-b' ? { ...run, metrics: run.metrics.filter((metric) => metric.name !== 'loss') } : run));
    assert.deepEqual([...keptRunIds(runs, axes, brush([['metric:loss', [[0, 1]]]]))!], ['r-a', 'r-c', 'r-d']);
  });

  test('changing one axis keeps the others; the same ranges again is the same brush', () => {
    const first = withAxisBrush(new Map(), 'metric:loss', [[0, 1]]);
    const second = withAxisBrush(first, 'parameter:epochs', [[2, 2]]);
    assert.deepEqual([...second.keys()], ['metric:loss', 'parameter:epochs']);
    assert.equal(withAxisBrush(second, 'metric:loss', [[0, 1]]), second);
    assert.deepEqual([...withAxisBrush(second, 'metric:loss', []).keys()], ['parameter:epochs'], 'cleared');
  });
});
