import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sweepComparison } from '../testing/compare-fixtures.js';
import { groupLabel, seedGroups, spread } from './seed-groups.js';

describe('seed groups', () => {
  test('runs group when only seed, random_seed or random_state differ; any other parameter parts them', () => {
    const runs = sweepComparison().runs;
    runs[0]!.parameters = { model: { depth: 2, width: 8 }, random_state: 1 };
    runs[1]!.parameters = { model: { width: 8, depth: 2 }, random_state: 2 }; // the same object, keys in another order
    runs[2]!.parameters = { model: { depth: 3, width: 8 }, random_seed: 1 };
    runs[3]!.parameters = { model: { depth: 2, width: 8 }, random_state: 3, epochs: 4 };
    const groups = seedGroups(runs);
    assert.deepEqual(groups.map((group) => group.runs.map((run) => run.id)), [['r-a', 'r-b'], ['r-c'], ['r-d']]);
    assert.equal(groupLabel(groups[0]!, ['model', 'random_state', 'random_seed', 'epochs']), 'model={"depth":2,"width":8} · 2 runs');
    assert.equal(groupLabel(groups[1]!, ['random_seed']), '1 run');
  });

  test('the band and mean at each x take the values there; where no run has one, a gap', () => {
    assert.deepEqual(spread([[1, null, null], [3, 5, null]]), { mean: [2, 5, null], min: [1, 5, null], max: [3, 5, null] });
  });
});
