import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { bucketOf, downsample, type HistoryPoint } from '../../compare/downsample.js';
import { reducePoints } from '../../compare/reducers.js';
import { RunComparison } from '../compare/run-comparison.js';
import { pipeline } from '../testing.js';
import { migrations } from './migrations.js';
import { newRunId } from './run-id.js';
import { RunStore, type NewMetricPoint } from './run-store.js';

const root = mkdtempSync(join(tmpdir(), 'ferry-history-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let databases = 0;
const dbFile = () => join(root, `ferry-${databases++}.db`);
const spec = pipeline('train', [{ name: 'train', code: 'pass' }]);

function storeWithRun(file = dbFile(), list = migrations): { store: RunStore; runId: string } {
  const store = RunStore.open(file, list);
  const runId = newRunId();
  store.createRun({ id: runId, pipeline: 'train', notebookPath: '/nb/train.ipynb', target: 'local', mode: 'script', parameters: {}, spec, runDir: `/runs/${runId}` });
  return { store, runId };
}

/** Appends in batches of varying size, as the monitor does poll by poll. */
function append(store: RunStore, runId: string, name: string, points: readonly HistoryPoint[]): void {
  let offset = 0;
  for (let at = 0, size = 1; at < points.length; at += size, size = (size * 7 + 3) % 5000 || 1) {
    const batch: NewMetricPoint[] = points.slice(at, at + size).map((p) => ({ name, ...p }));
    offset += batch.length;
    store.appendMetrics(runId, 'train', batch, offset);
  }
}

function noisy(n: number): HistoryPoint[] {
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, step) => ({ step, time: 1_700_000_000 + step / 10, value: Math.exp(-step / 20_000) + random() * 0.1 }));
}

test('a 100,000-point history downsampled on the server keeps its spike, its ends and the width bound', () => {
  const { store, runId } = storeWithRun();
  const points = noisy(100_000);
  points[71_003] = { ...points[71_003]!, value: 25 };
  append(store, runId, 'loss', points);
  const comparison = new RunComparison(store);
  const { series, x0, x1 } = comparison.history({ runs: [runId], metrics: ['loss'], width: 300 });
  assert.deepEqual([x0, x1], [0, 99_999]);
  const [loss] = series;
  assert.equal(loss!.count, 100_000);
  assert.equal(loss!.complete, false);
  assert.ok(loss!.step.length <= 4 * 300 && loss!.step.length >= 300, `${loss!.step.length} points`);
  const spike = loss!.step.indexOf(71_003);
  assert.ok(spike >= 0 && loss!.value[spike] === 25, 'the spike is kept');
  assert.equal(loss!.step[0], 0);
  assert.equal(loss!.value[0], points[0]!.value);
  assert.equal(loss!.step.at(-1), 99_999);
  assert.equal(loss!.value.at(-1), points.at(-1)!.value);
  // The global extremes of every bucket's exact downsampling are within the server's answer's envelope.
  const exact = downsample(points, 'step', { x0: 0, x1: 99_999, width: 300 });
  const values = loss!.value as number[];
  assert.equal(Math.max(...values), Math.max(...exact.map((p) => p.value)));
  assert.equal(Math.min(...values), Math.min(...exact.map((p) => p.value)));
  store.close();
});

test('every point lies within the kept envelope of its own pixel column or a neighbouring one', () => {
  const { store, runId } = storeWithRun();
  const points = noisy(100_000).map((p) => ({ ...p, value: p.value + Math.sin(p.step / 300) }));
  append(store, runId, 'loss', points);
  for (const width of [300, 1000]) {
    const grid = { x0: 0, x1: 99_999, width };
    const series = new RunComparison(store).history({ runs: [runId], metrics: ['loss'], width }).series[0]!;
    const high = new Array<number>(width).fill(-Infinity);
    const low = new Array<number>(width).fill(Infinity);
    series.step.forEach((step, i) => {
      const bucket = bucketOf(grid, step);
      high[bucket] = Math.max(high[bucket]!, series.value[i]!);
      low[bucket] = Math.min(low[bucket]!, series.value[i]!);
    });
    const near = (values: number[], bucket: number) => values.slice(Math.max(0, bucket - 1), bucket + 2);
    const outside = points.filter((p) => {
      const bucket = bucketOf(grid, p.step);
      return p.value > Math.max(...near(high, bucket)) || p.value < Math.min(...near(low, bucket));
    });
    assert.deepEqual(outside, [], `width ${width}`);
  }
  store.close();
});

test('one pixel keeps at most four points: the ends and the extremes; x may be wall time', () => {
  const { store, runId } = storeWithRun();
  const points = noisy(40_000);
  points[30_000] = { ...points[30_000]!, value: -7 };
  append(store, runId, 'loss', points);
  const comparison = new RunComparison(store);
  const one = comparison.history({ runs: [runId], metrics: ['loss'], width: 1 }).series[0]!;
  assert.ok(one.step.length <= 4);
  assert.deepEqual([one.step[0], one.step.at(-1)], [0, 39_999]);
  assert.ok(one.value.includes(-7));
  const byTime = comparison.history({ runs: [runId], metrics: ['loss'], width: 500, x: 'time' });
  assert.deepEqual([byTime.x0, byTime.x1], [points[0]!.time, points.at(-1)!.time]);
  const series = byTime.series[0]!;
  assert.ok(series.step.length <= 2_000);
  assert.ok(series.value.includes(-7));
  for (let i = 1; i < series.time.length; i++) assert.ok(series.time[i]! >= series.time[i - 1]!, 'in time order');
  store.close();
});

test('a zoom into a sub-range comes back at full resolution when it has few enough points', () => {
  const { store, runId } = storeWithRun();
  const points = noisy(50_000);
  append(store, runId, 'loss', points);
  const comparison = new RunComparison(store);
  const zoom = comparison.history({ runs: [runId], metrics: ['loss'], width: 200, x0: 20_000, x1: 20_499 }).series[0]!;
  assert.equal(zoom.complete, true);
  assert.deepEqual(zoom.step, points.slice(20_000, 20_500).map((p) => p.step));
  assert.deepEqual(zoom.value, points.slice(20_000, 20_500).map((p) => p.value));
  const wider = comparison.history({ runs: [runId], metrics: ['loss'], width: 200, x0: 10_000, x1: 30_000 }).series[0]!;
  assert.equal(wider.step[0], 10_000);
  assert.equal(wider.step.at(-1), 30_000);
  assert.ok(wider.step.length <= 800);
  store.close();
});

test('a series whose steps go back (a resumed training) is downsampled exactly from its points', () => {
  const { store, runId } = storeWithRun();
  const first = noisy(30_000);
  const resumed = noisy(30_000).map((p) => ({ ...p, step: p.step + 10_000, time: p.time + 10_000, value: p.value + 1 }));
  const points = [...first, ...resumed];
  append(store, runId, 'loss', points);
  const history = new RunComparison(store).history({ runs: [runId], metrics: ['loss'], width: 100 }).series[0]!;
  const exact = downsample([...points].sort((a, b) => a.step - b.step), 'step', { x0: 0, x1: 39_999, width: 100 });
  assert.equal(history.step.length, exact.length);
  assert.deepEqual([...history.value].sort(), exact.map((p) => p.value).sort());
  store.close();
});

test('runs with different step grids come back on one grid, with every point of the sparse run', () => {
  const { store, runId: dense } = storeWithRun();
  const sparse = newRunId();
  store.createRun({ id: sparse, pipeline: 'train', notebookPath: '/nb/train.ipynb', target: 'local', mode: 'script', parameters: {}, spec, runDir: `/runs/${sparse}` });
  append(store, dense, 'loss', noisy(20_000));
  append(store, sparse, 'loss', noisy(200).map((p) => ({ ...p, step: p.step * 100 })));
  const response = new RunComparison(store).history({ runs: [dense, sparse], metrics: ['loss'], width: 100 });
  assert.deepEqual([response.x0, response.x1], [0, 19_999]);
  const [a, b] = response.series;
  assert.equal(a!.runId, dense);
  assert.equal(b!.complete, true);
  assert.equal(b!.step.length, 200);
  store.close();
});

test('reductions come from the summaries and equal those of every point', () => {
  const { store, runId } = storeWithRun();
  const points = noisy(70_001);
  points[5] = { ...points[5]!, value: Number.NaN };
  append(store, runId, 'loss', points);
  append(store, runId, 'acc', noisy(3).map((p) => ({ ...p, value: 1 - p.value })));
  const { runs, metrics } = new RunComparison(store).compare([runId]);
  const loss = runs[0]!.metrics.find((m) => m.name === 'loss')!;
  const expected = reducePoints('train', 'loss', points)!;
  assert.equal(loss.count, expected.count);
  assert.equal(loss.last, expected.last);
  assert.equal(loss.min, expected.min);
  assert.equal(loss.max, expected.max);
  assert.ok(Math.abs(loss.mean! - expected.mean!) < 1e-9);
  assert.deepEqual(metrics, [
    { name: 'acc', reducer: 'max', goal: 'higher' },
    { name: 'loss', reducer: 'min', goal: 'lower' },
  ]);
  store.close();
});

test('unknown runs and metrics, and bad widths, are clear errors', () => {
  const { store, runId } = storeWithRun();
  append(store, runId, 'loss', noisy(10));
  const comparison = new RunComparison(store);
  assert.throws(() => comparison.compare([runId, 'r-nope']), /no run with id "r-nope"/);
  assert.throws(() => comparison.history({ runs: [runId], metrics: ['acc'], width: 100 }), /has a metric named 'acc' \(metrics: loss\)/);
  assert.throws(() => comparison.history({ runs: [runId], metrics: ['loss'], width: 0 }), /width must be a whole number of pixels/);
  assert.throws(() => comparison.history({ runs: [runId], metrics: ['loss'], width: 10, x0: 5, x1: 1 }), /x1 \(1\) must not be below x0 \(5\)/);
  store.close();
});

test('a store from before the summaries gets them for its stored points when opened', () => {
  const file = dbFile();
  const { store, runId } = storeWithRun(file, migrations.slice(0, 2));
  store.close();
  // Points stored the way an older Ferry stored them: rows only.
  const points = noisy(5_000);
  points[1_234] = { ...points[1_234]!, value: 99 };
  const old = new Database(file);
  const insert = old.prepare("INSERT INTO metrics (run_id, step_name, name, step, value, time) VALUES (?, 'train', 'loss', ?, ?, ?)");
  old.transaction(() => points.forEach((p) => insert.run(runId, p.step, p.value, p.time)))();
  old.close();
  const reopened = RunStore.open(file);
  const history = new RunComparison(reopened).history({ runs: [runId], metrics: ['loss'], width: 50 }).series[0]!;
  assert.equal(history.count, 5_000);
  assert.ok(history.value.includes(99));
  assert.equal(new RunComparison(reopened).compare([runId]).runs[0]!.metrics[0]!.max, 99);
  reopened.close();
});
