import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareCharts } from './chart-data.js';
import { epochLookup, epochStepRange, runsWithoutEpoch } from './epoch-axis.js';
import type { HeldSeries } from './history-store.js';
import { sweepComparison } from '../testing/compare-fixtures.js';

const held = (runId: string, name: string, step: number[], value: number[], stepName = 'train'): HeldSeries => ({
  runId,
  stepName,
  name,
  count: step.length,
  step,
  time: step.map((s) => 100 + s),
  value,
});

describe('the epoch in force at a step', () => {
  test('is the last epoch point at or before the step; before the first there is none', () => {
    const epochAt = epochLookup({ step: [10, 20, 30], value: [0, 1, 2] });
    assert.deepEqual([5, 10, 15, 20, 29, 30, 1000].map(epochAt), [undefined, 0, 0, 1, 1, 2, 2]);
  });

  test('epoch points logged out of step order count by their steps', () => {
    const epochAt = epochLookup({ step: [30, 0, 20, 10], value: [3, 0, 2, 1] });
    assert.deepEqual([0, 9, 10, 25, 31].map(epochAt), [0, 0, 1, 2, 3]);
  });

  test('a step logged twice counts with its last value; a NaN epoch is no epoch point', () => {
    const epochAt = epochLookup({ step: [0, 5, 5, 8, 8], value: [0, 1, 7, 2, Number.NaN] });
    assert.deepEqual([4, 5, 6, 8, 9].map(epochAt), [0, 7, 7, 2, 2]);
    assert.equal(epochLookup({ step: [], value: [] })(3), undefined);
  });
});

describe('charts on epochs', () => {
  const compare = sweepComparison();
  const runs = compare.runs.slice(0, 2);
  const series = [
    // r-a logs an epoch every 2 steps (unsorted here), from step 1 on.
    held('r-a', 'epoch', [5, 1, 3], [2, 0, 1]),
    held('r-a', 'loss', [0, 1, 2, 3, 4, 5], [9, 8, 7, 6, 5, 4]),
    held('r-b', 'loss', [0, 1, 2], [3, 2, 1]),
  ];

  test('each point is drawn at its step\'s epoch; a run without epochs, and steps before the first, are left out', () => {
    const [loss, ...others] = compareCharts(runs, ['epochs', 'learning_rate'], ['loss', 'epoch'], series, ['#111', '#222'], { x: 'epoch', smoothing: 0, logY: false });
    assert.deepEqual(others, [], 'no chart of the epoch against itself');
    assert.equal(loss!.metric, 'loss');
    assert.deepEqual(loss!.lines.map((line) => line.runId), ['r-a'], 'r-b logs no epoch');
    // Steps 1–2 are epoch 0, 3–4 epoch 1, 5 epoch 2; an epoch shows its last point.
    assert.deepEqual(loss!.data, [
      [0, 1, 2],
      [7, 5, 4],
    ]);
  });

  test('on steps nothing is left out', () => {
    const [loss, epoch] = compareCharts(runs, [], ['loss', 'epoch'], series, ['#111', '#222'], { x: 'step', smoothing: 0, logY: false });
    assert.deepEqual(loss!.lines.map((line) => line.runId), ['r-a', 'r-b']);
    assert.equal(epoch!.metric, 'epoch');
  });

  test('the runs that log no epoch are named', () => {
    const withEpoch = { ...runs[0]!, metrics: [...runs[0]!.metrics, { stepName: 'train', name: 'epoch', count: 3, last: 2, lastStep: 5 }] };
    assert.deepEqual(runsWithoutEpoch([withEpoch, runs[1]!]).map((run) => run.id), ['r-b']);
  });
});

describe('an epoch zoom as a step range for the host', () => {
  test('from the epoch point in force at the start to the first epoch point past the end, over every run', () => {
    const series = [
      held('r-a', 'epoch', [0, 100, 200, 300], [0, 1, 2, 3]),
      held('r-b', 'epoch', [250, 50, 150], [2, 0, 1]),
      held('r-a', 'loss', [0, 399], [1, 0]),
    ];
    // Epochs 1.5 to 2.5: r-a's epoch 1 starts at 100, its epoch 3 at 300; r-b's epoch 1 at 150, nothing after 2.
    assert.deepEqual(epochStepRange({ x0: 2.5, x1: 1.5 }, series), { x0: 100, x1: 399 });
    assert.deepEqual(epochStepRange({ x0: 0.5, x1: 0.9 }, series.slice(0, 1)), { x0: 0, x1: 100 });
  });

  test('a start before the first epoch takes the first epoch point; no epochs held asks for everything', () => {
    assert.deepEqual(epochStepRange({ x0: -3, x1: 0.2 }, [held('r-a', 'epoch', [10, 20], [0, 1])]), { x0: 10, x1: 20 });
    assert.equal(epochStepRange({ x0: 0, x1: 1 }, [held('r-a', 'loss', [0, 1], [1, 2])]), undefined);
  });
});
