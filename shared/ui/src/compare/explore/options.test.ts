import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sweepComparison } from '../../testing/compare-fixtures.js';
import { runLabel, tableColumns } from '../runs-table.js';
import { exploreAxes } from './axes.js';
import { barOption, bestRuns, parallelOption, scatterOption } from './options.js';
import type { ExploreRun } from './types.js';

const compare = sweepComparison();
const axes = exploreAxes(compare.runs, tableColumns(compare, { allParameters: false, choices: new Map() }), compare.differingParameters);
const COLORS = ['#111111', '#222222', '#333333', '#444444'];
const runs: ExploreRun[] = compare.runs.map((run, i) => ({ run, label: runLabel(run, compare.differingParameters), color: COLORS[i]!, dashed: i === 3 }));
const theme = { series: COLORS, text: '#abcdef', grid: '#123456' };
// The options are plain objects: read them as such.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

describe('parallel coordinates', () => {
  const option: Loose = parallelOption({ kind: 'parallel', runs, axes, theme, brush: new Map() });

  test('an axis per differing parameter and metric column, its id the column key, a metric named with its reducer', () => {
    assert.deepEqual(
      option.parallelAxis.map((axis: Loose) => [axis.dim, axis.id, axis.name, axis.type]),
      [
        [0, 'parameter:epochs', 'epochs', 'value'],
        [1, 'parameter:learning_rate', 'learning_rate', 'value'],
        [2, 'metric:loss', 'loss (min)', 'value'],
        [3, 'metric:accuracy', 'accuracy (max)', 'value'],
      ],
    );
  });

  test("a line per run in the run's colour through its values; a run with no value leaves a gap", () => {
    const [series] = option.series;
    assert.equal(series.type, 'parallel');
    assert.deepEqual(series.data[0], { name: 'epochs=2, learning_rate=0.1', value: [2, 0.1, 0.41, 0.81], lineStyle: { color: '#111111', type: 'solid' } });
    assert.equal(series.data[3].lineStyle.type, 'dashed', 'dashed as its curves');
    const missing: Loose = parallelOption({ kind: 'parallel', runs: [{ ...runs[0]!, run: { ...runs[0]!.run, metrics: [] } }], axes, theme, brush: new Map() });
    assert.deepEqual(missing.series[0].data[0].value, [2, 0.1, null, null]);
  });

  test('the axes take the theme colours and brush on drag end', () => {
    const defaults = option.parallel.parallelAxisDefault;
    assert.equal(defaults.axisLabel.color, '#abcdef');
    assert.equal(defaults.axisLine.lineStyle.color, '#abcdef');
    assert.equal(defaults.realtime, false);
  });

  test('a category axis lists its categories', () => {
    const textRuns = runs.map((entry, i) => ({ ...entry, run: { ...entry.run, parameters: { ...entry.run.parameters, optimizer: i % 2 ? 'sgd' : 'adam' } } }));
    const textAxes = exploreAxes(
      textRuns.map((entry) => entry.run),
      [{ kind: 'parameter', key: 'parameter:optimizer', name: 'optimizer' }],
      ['optimizer'],
    );
    const categorical: Loose = parallelOption({ kind: 'parallel', runs: textRuns, axes: textAxes, theme, brush: new Map() });
    assert.deepEqual(categorical.parallelAxis[0], { dim: 0, id: 'parameter:optimizer', name: 'optimizer', type: 'category', data: ['adam', 'sgd'] });
    assert.deepEqual(
      categorical.series[0].data.map((line: Loose) => line.value[0]),
      ['adam', 'sgd', 'adam', 'sgd'],
    );
  });
});

describe('parameter-vs-metric scatter', () => {
  test('the first parameter and metric unless picked; a point per run in its colour', () => {
    const option: Loose = scatterOption({ kind: 'scatter', runs, axes, theme, x: undefined, y: undefined });
    assert.equal(option.xAxis.name, 'epochs');
    assert.equal(option.xAxis.type, 'value');
    assert.equal(option.yAxis.name, 'loss (min)');
    assert.deepEqual(
      option.series[0].data.map((point: Loose) => [point.runId, point.value, point.itemStyle.color]),
      [
        ['r-a', [2, 0.41], '#111111'],
        ['r-b', [2, 0.3], '#222222'],
        ['r-c', [3, 0.6], '#333333'],
        ['r-d', [3, 0.2], '#444444'],
      ],
    );
    assert.equal(option.xAxis.axisLabel.color, '#abcdef');
  });

  test('picked axes; a text parameter on a category axis; runs without both values are left out', () => {
    const textRuns = runs.map((entry, i) => ({ ...entry, run: { ...entry.run, parameters: { ...entry.run.parameters, optimizer: i % 2 ? 'sgd' : 'adam' } } }));
    textRuns[1] = { ...textRuns[1]!, run: { ...textRuns[1]!.run, metrics: [] } };
    const textAxes = exploreAxes(
      textRuns.map((entry) => entry.run),
      [{ kind: 'parameter', key: 'parameter:optimizer', name: 'optimizer' }, ...tableColumns(compare, { allParameters: false, choices: new Map() }).filter((c) => c.kind === 'metric')],
      ['optimizer'],
    );
    const option: Loose = scatterOption({ kind: 'scatter', runs: textRuns, axes: textAxes, theme, x: 'parameter:optimizer', y: 'metric:accuracy' });
    assert.deepEqual(option.xAxis.data, ['adam', 'sgd']);
    assert.equal(option.xAxis.type, 'category');
    assert.deepEqual(
      option.series[0].data.map((point: Loose) => point.value),
      [
        ['adam', 0.81],
        ['adam', 0.7],
        ['sgd', 0.88],
      ],
    );
  });
});

describe('bars of a reduced metric', () => {
  test("a bar per run in its colour with the reduced value; the best by the metric's goal is marked", () => {
    const option: Loose = barOption({ kind: 'bars', runs, axes, theme, metric: undefined });
    assert.deepEqual(option.xAxis.data, runs.map((entry) => entry.label));
    assert.equal(option.yAxis.name, 'loss (min)');
    const bars = option.series[0].data;
    assert.deepEqual(
      bars.map((bar: Loose) => [bar.value, bar.itemStyle.color]),
      [
        [0.41, '#111111'],
        [0.3, '#222222'],
        [0.6, '#333333'],
        [0.2, '#444444'],
      ],
    );
    assert.deepEqual(
      bars.filter((bar: Loose) => bar.label?.show).map((bar: Loose) => bar.runId),
      ['r-d'],
      'lowest min loss',
    );
    assert.equal(bars[3].itemStyle.borderColor, '#abcdef');
  });

  test('the picked metric and reducer: the highest accuracy is best; no goal, no best', () => {
    const option: Loose = barOption({ kind: 'bars', runs, axes, theme, metric: 'metric:accuracy' });
    assert.deepEqual(
      option.series[0].data.filter((bar: Loose) => bar.label).map((bar: Loose) => bar.runId),
      ['r-b'],
    );
    const noGoal = exploreAxes(compare.runs, tableColumns(compare, { allParameters: false, choices: new Map([['loss', { reducer: 'last' }]]) }), []);
    assert.equal(bestRuns(runs, noGoal.find((axis) => axis.key === 'metric:loss')!).size, 0);
    const last: Loose = barOption({ kind: 'bars', runs, axes: noGoal, theme, metric: 'metric:loss' });
    assert.deepEqual(
      last.series[0].data.map((bar: Loose) => bar.value),
      [0.41, 0.32, 0.6, 0.25],
      'the last loss of each run',
    );
  });
});
