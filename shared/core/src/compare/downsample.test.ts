import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketOf, downsample, extentOf, type HistoryPoint } from './downsample.js';

/** A smooth curve of `n` points on steps 0, every, 2·every, ... */
function curve(n: number, every = 1, value = (step: number) => Math.sin(step / 50)): HistoryPoint[] {
  return Array.from({ length: n }, (_, i) => ({ step: i * every, time: 1_700_000_000 + i, value: value(i * every) }));
}

test('a single spike among 100,000 points survives downsampling to 200 pixels', () => {
  const points = curve(100_000);
  points[63_217] = { ...points[63_217]!, value: 40 };
  points[12_345] = { ...points[12_345]!, value: -40 };
  const kept = downsample(points, 'step', { x0: 0, x1: 99_999, width: 200 });
  assert.ok(kept.some((p) => p.step === 63_217 && p.value === 40), 'the upward spike is kept at its step');
  assert.ok(kept.some((p) => p.step === 12_345 && p.value === -40), 'the downward spike is kept at its step');
});

test('the first and the last point of the range are kept, and every kept point is a real one', () => {
  const points = curve(10_000, 1, (step) => Math.cos(step));
  const kept = downsample(points, 'step', { x0: 0, x1: 9_999, width: 37 });
  assert.deepEqual(kept[0], points[0]);
  assert.deepEqual(kept.at(-1), points.at(-1));
  const real = new Set(points.map((p) => `${p.step}:${p.value}`));
  assert.ok(kept.every((p) => real.has(`${p.step}:${p.value}`)));
});

test('at most 4 points per bucket come back, in step order, whatever the input', () => {
  for (const width of [1, 7, 300]) {
    const kept = downsample(curve(50_000, 1, () => Math.random()), 'step', { x0: 0, x1: 49_999, width });
    assert.ok(kept.length <= 4 * width, `${kept.length} points for ${width} pixels`);
    assert.ok(kept.length >= 2 * Math.min(width, 50_000) - 1, 'each bucket keeps its extremes');
    for (let i = 1; i < kept.length; i++) assert.ok(kept[i]!.step >= kept[i - 1]!.step);
    const perBucket = new Map<number, number>();
    for (const p of kept) {
      const bucket = bucketOf({ x0: 0, x1: 49_999, width }, p.step);
      perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + 1);
    }
    assert.ok([...perBucket.values()].every((count) => count <= 4));
  }
});

test('runs logged on different step grids land in the same buckets for the same steps', () => {
  const everyStep = curve(1_000, 1);
  const everyTenth = curve(100, 10);
  const range = extentOf([
    { min: everyStep[0]!.step, max: everyStep.at(-1)!.step },
    { min: everyTenth[0]!.step, max: everyTenth.at(-1)!.step },
  ])!;
  assert.deepEqual(range, { x0: 0, x1: 999 });
  const grid = { ...range, width: 50 };
  const dense = downsample(everyStep, 'step', grid);
  const sparse = downsample(everyTenth, 'step', grid);
  // Two points per bucket in the sparse run: all 100 are kept, at their own steps.
  assert.deepEqual(sparse.map((p) => p.step), everyTenth.map((p) => p.step));
  for (let bucket = 0; bucket < 50; bucket++) {
    const steps = (points: HistoryPoint[]) => points.filter((p) => bucketOf(grid, p.step) === bucket).map((p) => p.step);
    const [lo, hi] = [Math.min(...steps(dense)), Math.max(...steps(dense))];
    assert.ok(steps(sparse).every((step) => step >= lo && step <= hi), `bucket ${bucket}: both runs cover the same steps`);
  }
});

test('points outside the range are left out, and x may be wall time', () => {
  const points = curve(1_000);
  const kept = downsample(points, 'time', { x0: 1_700_000_100, x1: 1_700_000_199, width: 1_000 });
  assert.equal(kept.length, 100);
  assert.equal(kept[0]!.step, 100);
  assert.equal(kept.at(-1)!.step, 199);
});

test('NaN points are kept as first or last but never as an extreme', () => {
  const points: HistoryPoint[] = [
    { step: 0, time: 0, value: Number.NaN },
    { step: 1, time: 1, value: 5 },
    { step: 2, time: 2, value: 3 },
    { step: 3, time: 3, value: 4 },
    { step: 4, time: 4, value: Number.NaN },
  ];
  const kept = downsample(points, 'step', { x0: 0, x1: 4, width: 1 });
  assert.deepEqual(kept.map((p) => p.step), [0, 1, 2, 4]);
});

test('a range of one x puts everything in one bucket', () => {
  const points = [1, 9, 4].map((value, i) => ({ step: 5, time: i, value }));
  const kept = downsample(points, 'step', { x0: 5, x1: 5, width: 10 });
  assert.deepEqual(kept.map((p) => p.value), [1, 9, 4]);
});
