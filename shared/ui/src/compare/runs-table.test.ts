import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sweepComparison } from '../testing/compare-fixtures.js';
import { cellText, chooseReducer, formatMetric, orderRuns, tableColumns } from './runs-table.js';

describe('runs table', () => {
  test('a run without the sorted metric goes last, whichever way the column sorts', () => {
    const compare = sweepComparison();
    compare.runs[1]!.metrics = []; // r-b logged no loss
    const columns = tableColumns(compare, { allParameters: false, choices: new Map() });
    const order = (reversed: boolean) => orderRuns(compare.runs, columns, { column: 'metric:loss', reversed }, undefined).map((run) => run.id);
    assert.deepEqual(order(false), ['r-d', 'r-a', 'r-c', 'r-b']);
    assert.deepEqual(order(true), ['r-c', 'r-a', 'r-d', 'r-b']);
  });

  test('where the runs went is a column each: place, node and retries, read and sorted as the runs say', () => {
    const compare = sweepComparison();
    compare.unrecorded = [];
    compare.runs.forEach((run, index) => {
      run.job = { ...run.job, target: 'k8s', place: 'namespace ml-team', node: `kwok-node-${index % 2}`, retries: 3 - index };
    });
    const columns = tableColumns(compare, { allParameters: false, choices: new Map() });
    const facts = columns.filter((column) => column.kind === 'fact');
    assert.deepEqual(facts.map((column) => column.key).slice(0, 3), ['fact:target', 'fact:place', 'fact:state']);
    for (const key of ['fact:node', 'fact:retries']) assert.ok(facts.some((column) => column.key === key), key);
    const cells = (key: string) => compare.runs.map((run) => cellText(run, columns.find((column) => column.key === key)!));
    assert.deepEqual(cells('fact:place'), ['namespace ml-team', 'namespace ml-team', 'namespace ml-team', 'namespace ml-team']);
    assert.deepEqual(cells('fact:node'), ['kwok-node-0', 'kwok-node-1', 'kwok-node-0', 'kwok-node-1']);
    assert.deepEqual(cells('fact:retries'), ['3', '2', '1', '0']);
    const byRetries = orderRuns(compare.runs, columns, { column: 'fact:retries', reversed: false }, undefined).map((run) => run.id);
    assert.deepEqual(byRetries, ['r-d', 'r-c', 'r-b', 'r-a']);
  });

  test('local runs have no place, and a server that records no node shows no node column', () => {
    const compare = sweepComparison();
    compare.runs[0]!.job.node = 'laptop';
    const keys = tableColumns(compare, { allParameters: false, choices: new Map() }).map((column) => column.key);
    assert.equal(keys.includes('fact:place'), false);
    assert.equal(keys.includes('fact:node'), false);
    compare.unrecorded = [];
    assert.equal(tableColumns(compare, { allParameters: false, choices: new Map() }).some((column) => column.key === 'fact:node'), true);
  });

  test('choosing min or max also says which way is better; last and mean keep the goal', () => {
    assert.deepEqual(chooseReducer({ reducer: 'last' }, 'max'), { reducer: 'max', goal: 'higher' });
    assert.deepEqual(chooseReducer({ reducer: 'max', goal: 'higher' }, 'mean'), { reducer: 'mean', goal: 'higher' });
    assert.deepEqual(chooseReducer({ reducer: 'last', goal: 'higher' }, 'min'), { reducer: 'min', goal: 'lower' });
  });

  test('metric values read like a results table', () => {
    assert.deepEqual([0.406019, 1, 12345.678, 0.00001234, 0].map(formatMetric), ['0.406', '1', '12350', '1.234e-5', '0']);
  });
});
