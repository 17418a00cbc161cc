import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FerryError } from '../errors.js';
import { guessGoal, metricColumn, parseMetricOverride, reducedValue, reducePoints } from './reducers.js';

test('the goal is guessed from the words of a metric name', () => {
  for (const name of ['loss', 'val_loss', 'train/loss', 'error', 'test-err', 'rmse', 'valPerplexity', 'WER']) assert.equal(guessGoal(name), 'lower', name);
  for (const name of ['acc', 'accuracy', 'test_accuracy', 'val/f1', 'auc', 'eval-AUROC', 'top1Acc', 'mAP', 'bleu', 'reward', 'hits10']) {
    assert.equal(guessGoal(name), 'higher', name);
  }
  for (const name of ['lr', 'epoch', 'weight_norm', 'lossy_thing', 'accumulate']) assert.equal(guessGoal(name), undefined, name);
  assert.equal(guessGoal('accuracy_error'), 'lower', 'the last word that tells wins');
});

test('a column reduces to the best value for a known goal, else to the last; an override wins', () => {
  assert.deepEqual(metricColumn('val_loss'), { name: 'val_loss', reducer: 'min', goal: 'lower' });
  assert.deepEqual(metricColumn('test_accuracy'), { name: 'test_accuracy', reducer: 'max', goal: 'higher' });
  assert.deepEqual(metricColumn('weight_norm'), { name: 'weight_norm', reducer: 'last' });
  assert.deepEqual(metricColumn('weight_norm', new Map([['weight_norm', 'min']])), { name: 'weight_norm', reducer: 'min', goal: 'lower' });
  assert.deepEqual(metricColumn('loss', new Map([['loss', 'last']])), { name: 'loss', reducer: 'last', goal: 'lower' });
});

test('--metric NAME:REDUCER is parsed, and a bad one says what is wrong', () => {
  assert.deepEqual(parseMetricOverride('loss:max'), ['loss', 'max']);
  assert.deepEqual(parseMetricOverride('train:loss:mean'), ['train:loss', 'mean']);
  for (const bad of ['loss', 'loss:median', ':min', 'loss:']) {
    assert.throws(() => parseMetricOverride(bad), (error: unknown) => error instanceof FerryError && error.message.includes(`'${bad}'`) && error.message.includes('last, min, max, mean'));
  }
});

test('a series reduces to last, min, max, mean and count; NaN counts but is no value', () => {
  const points = [3, Number.NaN, 1, 8, 4].map((value, step) => ({ step, time: step, value }));
  const reduced = reducePoints('train', 'loss', points)!;
  assert.deepEqual(reduced, { stepName: 'train', name: 'loss', count: 5, last: 4, lastStep: 4, min: 1, max: 8, mean: 4 });
  assert.equal(reducedValue(reduced, 'min'), 1);
  const onlyNaN = reducePoints('train', 'loss', [{ step: 0, time: 0, value: Number.NaN }])!;
  assert.equal(onlyNaN.min, undefined);
  assert.equal(reducedValue(onlyNaN, 'last'), undefined);
  assert.equal(reducePoints('train', 'loss', []), undefined);
});
