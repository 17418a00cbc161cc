/** Which runs Compare Runs takes from the side panel, and how its tab names them. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Run } from '@ferry/core';
import { compareTitle, runsToCompare } from './compare-selection.js';

const run = (id: string, extra: Partial<Run> = {}): Run =>
  ({ id, pipeline: 'train', parameters: {}, state: 'succeeded', createdAt: '2026-01-01T00:00:00Z', steps: [], ...extra }) as Run;

describe('runsToCompare', () => {
  const sweep = [run('r-p2', { sweepId: 's', sweepIndex: 2 }), run('r-p0', { sweepId: 's', sweepIndex: 0 }), run('r-p1', { sweepId: 's', sweepIndex: 1 })];
  const runs = [run('r-alone'), ...sweep, run('r-other')];

  test('the selected runs, in the panel’s order', () => {
    assert.deepEqual(runsToCompare({ runs, selectedIds: ['r-alone', 'r-other'] }), ['r-alone', 'r-other']);
  });

  test('one run of a sweep alone stands for its sweep’s points, in sweep order', () => {
    assert.deepEqual(runsToCompare({ runs, selectedIds: ['r-p2'] }), ['r-p0', 'r-p1', 'r-p2']);
    assert.deepEqual(runsToCompare({ runs, selectedIds: [] }, 'r-p1'), ['r-p0', 'r-p1', 'r-p2']);
  });

  test('a run on its own has nothing to compare with', () => {
    assert.deepEqual(runsToCompare({ runs, selectedIds: ['r-alone'] }), ['r-alone']);
    assert.deepEqual(runsToCompare({ runs, selectedIds: [] }), []);
  });

  test('a run picked outside the selection is compared on its own terms', () => {
    assert.deepEqual(runsToCompare({ runs, selectedIds: ['r-alone', 'r-other'] }, 'r-p0'), ['r-p0', 'r-p1', 'r-p2']);
    assert.deepEqual(runsToCompare({ runs, selectedIds: ['r-alone', 'r-other'] }, 'r-other'), ['r-alone', 'r-other']);
  });
});

describe('compareTitle', () => {
  test('names the pipeline and the runs by their short ids, with every run and its parameters in the tooltip', () => {
    const runs = new Map(['r-aaaaaa111111', 'r-bbbbbb222222', 'r-cccccc333333', 'r-dddddd444444'].map((id, i) => [id, run(id, { parameters: { epochs: i } })]));
    const title = compareTitle([...runs.keys()], (id) => runs.get(id));
    assert.equal(title.label, 'Compare train 111111, 222222, 333333 +1');
    assert.match(title.caption, /^Compare 4 runs:\n/);
    assert.match(title.caption, /r-dddddd444444 \(epochs=3\)/);
  });

  test('leaves the pipeline out when the runs come from several', () => {
    const runs = new Map([run('r-1', { pipeline: 'a' }), run('r-2', { pipeline: 'b' })].map((r) => [r.id, r]));
    assert.equal(compareTitle(['r-1', 'r-2'], (id) => runs.get(id)).label, 'Compare r-1, r-2');
  });
});
