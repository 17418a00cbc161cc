import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FerryError } from '@ferry/core';
import { rejectionOf, submissionOf } from './submission.js';

const base = { notebookPath: '/work/train.ipynb', target: 'local' };

test('a form without swept parameters submits one run with every typed value', () => {
  assert.deepEqual(submissionOf(base, { epochs: 3, lr: 0.1 }, {}), {
    kind: 'run',
    request: { ...base, parameters: { epochs: 3, lr: 0.1 } },
  });
});

test('swept parameters become the axes of a grid sweep, the others stay fixed', () => {
  const submission = submissionOf(base, { epochs: 3, lr: 0.1, seed: 1 }, { lr: [0.1, 0.01], seed: [1, 2, 3] });
  assert.equal(submission.kind, 'sweep');
  assert.deepEqual(submission.request, {
    ...base,
    parameters: { epochs: 3 },
    axes: [
      { parameter: 'lr', values: [0.1, 0.01] },
      { parameter: 'seed', values: [1, 2, 3] },
    ],
  });
  assert.equal(submission.kind === 'sweep' && submission.runCount, 6);
});

test("a refusal that names a parameter shows under that parameter's field", () => {
  const refusal = rejectionOf(new FerryError('parameter', 'epochs must be a whole number', { parameter: 'epochs' }));
  assert.deepEqual(refusal.errors, { epochs: 'epochs must be a whole number' });
  assert.match(refusal.message, /epochs must be a whole number/);
  assert.deepEqual(rejectionOf(new Error('connection refused')), { message: 'connection refused' });
});
