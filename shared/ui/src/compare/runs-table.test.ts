import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sweepComparison } from '../testing/compare-fixtures.js';
import { chooseReducer, formatMetric, orderRuns, tableColumns } from './runs-table.js';

describe('runs table', () => {
  test('a run without the sorted metric goes last, whichever way the column sorts', () => {
    const compare = sweepComparison();
    compare.runs[1]!.metrics = []; // r-b logged no loss
    const columns = tableColumns(compare, { allParameters: false, choices: new Map() });
    const order = (reversed: boolean) => orderRuns(compare.runs, columns, { column: 'metric:loss', reversed }, undefined).map((run) => run.id);
    assert.deepEqual(order(false), ['r-d', 'r-a', 'r-c', 'r-b']);
    assert.deepEqual(order(true), ['r-c', 'r-a', 'r-d', 'r-b']);
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
