import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricsModel } from './metrics-model.js';
import { alignSeries } from './series-table.js';

const p = (step: number, value: number, time = step * 10) => ({ step, value, time });

test('series of different runs share one x axis, with gaps where a run has no point', () => {
  const aligned = alignSeries(
    [
      { key: 'a', label: 'run 1', points: [p(0, 1), p(2, 0.5), p(4, 0.25)] },
      { key: 'b', label: 'run 2', points: [p(0, 2), p(1, NaN), p(3, 1)] },
    ],
    'step',
  );
  assert.deepEqual(aligned, [
    [0, 1, 2, 3, 4],
    [1, null, 0.5, null, 0.25],
    [2, null, null, 1, null],
  ]);
  assert.deepEqual(alignSeries([{ key: 'a', label: 'a', points: [p(1, 3, 100), p(1, 4, 100)] }], 'time'), [[100], [4]], 'a repeated step shows its last value');
});

test('on a downsampled grid, runs line up by pixel column: few rows, every point kept within its column', () => {
  // Two runs downsampled over steps 0..999 for 10 columns: their kept steps differ.
  const grid = { x0: 0, x1: 999, width: 10 };
  const a = [p(0, 1), p(37, 9), p(99, 0.5), p(100, 0.4), p(550, 0.2), p(999, 0.1)];
  const b = [p(3, 2), p(60, 1.5), p(98, 1), p(101, 0.9), p(999, 0.3), p(1003, 0.25), p(1001, 0.26)];
  const [xs, ya, yb] = alignSeries([{ key: 'a', label: 'a', points: a }, { key: 'b', label: 'b', points: b }], 'step', grid);
  assert.ok(xs.length <= 3 * grid.width + 2, `${xs.length} rows`);
  assert.deepEqual([...xs].sort((m, n) => m - n), xs, 'x ascends');
  const columnWidth = 99.9;
  for (const [points, ys] of [[a, ya], [b, yb]] as const) {
    const drawn = xs.flatMap((x, row) => (ys![row] === null ? [] : [[x, ys![row]]]));
    const byStep = [...points].sort((m, n) => m.step - n.step).map((point) => point.value);
    assert.deepEqual(drawn.map(([, value]) => value), byStep, 'every value in step order, the spike included');
    points.forEach((point, i) => assert.ok(Math.abs(drawn.find(([, value]) => value === point.value)![0]! - point.step) < columnWidth, `point ${i} stays in its column`));
  }
  assert.deepEqual(xs.slice(-2), [1001, 1003], 'points past the grid keep their steps');
  const repeated = alignSeries([{ key: 'a', label: 'a', points: [p(5, 1), p(5, 2), p(6, 3)] }], 'step', grid);
  assert.deepEqual(repeated[1], [2, 3], 'a step logged twice shows its last value');
});

test('the model groups series into one chart per metric, naming runs when several overlay', () => {
  const model = new MetricsModel();
  model.init([
    { runId: 'r1', label: 'lr=0.1', series: [{ stepName: 'train', name: 'loss', points: [p(0, 1)] }] },
    { runId: 'r2', label: 'lr=0.01', series: [{ stepName: 'train', name: 'loss', points: [] }] },
  ]);
  model.append({ runId: 'r2', stepName: 'train', name: 'loss', points: [p(0, 2)] });
  model.append({ runId: 'r1', stepName: 'eval', name: 'accuracy', points: [{ step: 0, value: null as unknown as number, time: 0 }] });
  const charts = model.charts('per-metric');
  assert.deepEqual(charts.map((c) => [c.title, c.series.map((s) => s.label)]), [
    ['loss', ['lr=0.1', 'lr=0.01']],
    ['accuracy', ['lr=0.1']],
  ]);
  assert.ok(Number.isNaN(charts[1]!.series[0]!.points[0]!.value), 'a null value (NaN over JSON) reads back as NaN');
  assert.deepEqual(model.charts('single')[0]!.series.map((s) => s.label), ['lr=0.1 · loss', 'lr=0.1 · accuracy', 'lr=0.01 · loss']);
});
