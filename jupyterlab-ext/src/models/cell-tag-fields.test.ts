import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileNotebookText, isFerryError } from '@ferry/core';
import { emptyFields, notebookDialect, readTagFields, writeTagFields } from './cell-tag-fields.js';

describe('cell tag fields', () => {
  test('reads Kale tags into fields and writes them back in Kale’s words', () => {
    const tags = ['block:train', 'prev:prepare', 'limit:nvidia.com/gpu:1', 'cpus:2', 'mem:2G', 'time:30m', 'label:team:vision'];
    const { fields, others } = readTagFields(tags);
    assert.deepEqual(fields, { role: 'step', step: 'train', after: ['prepare'], gpus: '1', cpus: '2', mem: '2G', time: '30m' });
    assert.deepEqual(others, ['label:team:vision']);
    assert.deepEqual(writeTagFields(fields, others, 'kale'), [
      'block:train',
      'prev:prepare',
      'limit:nvidia.com/gpu:1',
      'limit:cpu:2',
      'limit:memory:2G',
      'time:30m',
      'label:team:vision',
    ]);
  });

  test('writes Ferry’s and Papermill’s words in a notebook without Kale tags', () => {
    assert.deepEqual(writeTagFields({ ...emptyFields(), step: 'eval', after: ['train', ' '], gpus: '2' }, [], 'ferry'), [
      'step:eval',
      'after:train',
      'gpus:2',
    ]);
    assert.deepEqual(writeTagFields({ ...emptyFields(), role: 'parameters' }, ['hide-input'], 'ferry'), ['parameters', 'hide-input']);
    assert.deepEqual(writeTagFields({ ...emptyFields(), role: 'parameters' }, [], 'kale'), ['pipeline-parameters']);
  });

  test('what it writes compiles to the step the form showed', () => {
    const tags = writeTagFields({ ...emptyFields(), step: 'train', mem: '4G', time: '2h' }, [], 'ferry');
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ cell_type: 'code', source: 'x = 1', metadata: { tags }, outputs: [], execution_count: null }],
    };
    const spec = compileNotebookText(JSON.stringify(notebook), 'n.ipynb');
    assert.deepEqual(spec.steps.map((s) => [s.name, s.resources]), [['train', { memoryMiB: 4096, timeMinutes: 120 }]]);
  });

  test('a bad value is refused with the field it came from, before anything is written', () => {
    assert.throws(
      () => writeTagFields({ ...emptyFields(), step: 'train', mem: 'lots' }, [], 'ferry'),
      (error: unknown) => isFerryError(error) && error.location?.field === 'mem' && /mem:lots/.test(error.message),
    );
    assert.throws(
      () => writeTagFields({ ...emptyFields(), step: 'two words' }, [], 'ferry'),
      (error: unknown) => isFerryError(error) && error.location?.field === 'step',
    );
  });

  test('a role cell keeps no step-only tags; unknown tags are kept, not dropped', () => {
    const { fields, others } = readTagFields(['step:a', 'gpus:1', 'typo:x']);
    assert.deepEqual(writeTagFields({ ...fields, role: 'skip' }, others, 'ferry'), ['skip', 'typo:x']);
  });

  test('the dialect follows the notebook', () => {
    assert.equal(notebookDialect([['imports'], ['block:a']]), 'kale');
    assert.equal(notebookDialect([['parameters'], ['step:a'], []]), 'ferry');
    assert.equal(notebookDialect([['pipeline-parameters']]), 'kale');
  });
});
