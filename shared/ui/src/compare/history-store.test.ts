import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HistoryResponse } from '@ferry/core';
import { HistoryStore } from './history-store.js';

const history = (values: number[]): HistoryResponse => ({
  x: 'step',
  width: 100,
  series: [{ runId: 'r', stepName: 'train', name: 'loss', count: values.length, complete: true, step: values.map((_, i) => i), time: values.map((_, i) => 10 + i), value: values }],
});
const delta = (from: number, values: Array<number | null>) => ({
  runId: 'r',
  stepName: 'train',
  name: 'loss',
  from,
  step: values.map((_, i) => from + i),
  time: values.map((_, i) => 10 + from + i),
  value: values,
});

describe('history store', () => {
  test('a delta continues a series from its count; points already held are not added twice', () => {
    const store = new HistoryStore();
    store.requested(1);
    assert.ok(store.answer(1, history([3, 2])));
    store.append(delta(1, [2, 1.5, 1])); // its first point is the history's last
    assert.deepEqual(store.series()[0]!.value, [3, 2, 1.5, 1]);
    assert.equal(store.series()[0]!.count, 4);
  });

  test('an answer to an earlier request is dropped', () => {
    const store = new HistoryStore();
    store.requested(1);
    store.requested(2);
    assert.equal(store.answer(1, history([9])), false);
    assert.deepEqual(store.series(), []);
    assert.ok(store.answer(2, history([1])));
  });

  test('deltas that arrive while a request is out are applied again over its answer', () => {
    const store = new HistoryStore();
    store.requested(1);
    store.answer(1, history([5, 4]));
    store.requested(2); // a zoom
    store.append(delta(2, [3])); // live, before the answer
    store.answer(2, history([5, 4])); // read before that point was stored
    assert.deepEqual(store.series()[0]!.value, [5, 4, 3]);
    store.requested(3);
    store.append(delta(3, [2]));
    store.answer(3, history([5, 4, 3, 2])); // read after it: nothing doubled
    assert.deepEqual(store.series()[0]!.value, [5, 4, 3, 2]);
  });

  test('a NaN sent as null is held as NaN', () => {
    const store = new HistoryStore();
    store.append(delta(0, [1, null]));
    assert.ok(Number.isNaN(store.series()[0]!.value[1]));
  });
});
