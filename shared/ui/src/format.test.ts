import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elapsed, formatBytes, formatDuration, formatNumber, stateGlyph, summarizeSeries } from './format.js';

test('durations read the way people say them', () => {
  assert.equal(formatDuration(97), '97ms');
  assert.equal(formatDuration(4250), '4.2s');
  assert.equal(formatDuration(75_000), '1m15s');
  assert.equal(formatDuration(2 * 3_600_000 + 3 * 60_000), '2h03m');
  assert.equal(elapsed('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:02.500Z'), '2.5s');
  assert.equal(elapsed(undefined), '');
});

test('states map to one glyph per outcome', () => {
  assert.equal(stateGlyph('succeeded'), '✓');
  assert.equal(stateGlyph('failed'), '✗');
  assert.equal(stateGlyph('cancelled'), '✗');
  assert.equal(stateGlyph('running'), '▶');
});

test('series summaries keep the last value and ignore NaN for min and max', () => {
  const [summary] = summarizeSeries([
    {
      stepName: 'train',
      name: 'loss',
      points: [
        { step: 0, value: 0.9, time: 1 },
        { step: 1, value: NaN, time: 2 },
        { step: 2, value: 0.2, time: 3 },
      ],
    },
  ]);
  assert.deepEqual(summary, { stepName: 'train', name: 'loss', last: 0.2, min: 0.2, max: 0.9, count: 3 });
  assert.equal(formatNumber(0.123456789), '0.123457');
  assert.equal(formatNumber(3), '3');
});

test('byte counts read in the largest unit that fits', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(100 * 1024 * 1024), '100 MB');
});
