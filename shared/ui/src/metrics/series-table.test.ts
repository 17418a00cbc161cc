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
