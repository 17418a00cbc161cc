import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../spec.js';
import { differingParameters, parameterNames } from './parameters.js';

const runs = (...parameters: Array<Record<string, JsonValue>>) => parameters.map((p) => ({ parameters: p }));

test('only the parameters whose values differ between runs are listed, in first-seen order', () => {
  const compared = runs(
    { epochs: 5, learning_rate: 0.5, seed: 7, layers: [64, 32], opts: { a: 1, b: 2 } },
    { epochs: 10, learning_rate: 0.5, seed: 7, layers: [64, 32], opts: { b: 2, a: 1 } },
    { epochs: 5, learning_rate: 0.1, seed: 7, layers: [64, 16], opts: { a: 1, b: 2 } },
  );
  assert.deepEqual(parameterNames(compared), ['epochs', 'learning_rate', 'seed', 'layers', 'opts']);
  assert.deepEqual(differingParameters(compared), ['epochs', 'learning_rate', 'layers']);
});

test('a parameter missing from one run differs; null differs from a value; 1 equals 1.0', () => {
  assert.deepEqual(differingParameters(runs({ a: 1, b: 1 }, { a: 1.0 })), ['b']);
  assert.deepEqual(differingParameters(runs({ a: null }, { a: 0 })), ['a']);
  assert.deepEqual(differingParameters(runs({ a: '1' }, { a: 1 })), ['a']);
});

test('one run alone, or identical runs, differ in nothing', () => {
  assert.deepEqual(differingParameters(runs({ a: 1 })), []);
  assert.deepEqual(differingParameters(runs({ a: 1, b: 'x' }, { b: 'x', a: 1 })), []);
});
