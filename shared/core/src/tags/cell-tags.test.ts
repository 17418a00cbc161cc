import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FerryError } from '../errors.js';
import { readCellTags } from './cell-tags.js';

const where = { file: 'nb.ipynb', cell: 3 };

function rejects(tags: string[], message: RegExp, field?: string) {
  assert.throws(
    () => readCellTags(tags, where),
    (error: unknown) =>
      error instanceof FerryError &&
      error.category === 'tag' &&
      error.location?.cell === 3 &&
      (field === undefined || error.location.field === field) &&
      message.test(error.message),
  );
}

describe('the tags of one cell', () => {
  test('step tags with resources, dependencies and labels', () => {
    const tags = readCellTags(['block:train', 'prev:prepare', 'cpus:2', 'mem:2G', 'time:30m', 'label:team:ml'], where);
    assert.equal(tags.step, 'train');
    assert.deepEqual(tags.after, ['prepare']);
    assert.deepEqual(tags.resources, { cpus: 2, memoryMiB: 2048, timeMinutes: 30 });
    assert.deepEqual(tags.labels, { team: 'ml' });
    assert.equal(tags.role, undefined);
  });

  test('imports and functions together make one prelude cell', () => {
    assert.equal(readCellTags(['imports', 'functions'], where).role, 'prelude');
  });

  test('skip wins over anything else', () => {
    const tags = readCellTags(['step:train', 'skip', 'gpus:1'], where);
    assert.equal(tags.skip, true);
  });

  test('the error names the offending tag by its index', () => {
    rejects(['step:train', 'gpus:x'], /gpus:x/, 'cells[3].metadata.tags[1]');
  });

  test('two different step tags on one cell are refused', () => {
    rejects(['step:a', 'step:b'], /both `step:a` and `step:b`/);
    assert.equal(readCellTags(['step:a', 'block:a'], where).step, 'a');
  });

  test('conflicting roles and conflicting values are refused', () => {
    rejects(['imports', 'parameters'], /conflicting tags `imports` and `parameters`/);
    rejects(['gpus:1', 'limit:nvidia.com/gpu:2'], /conflicting tags `gpus:1` and `limit:nvidia.com\/gpu:2`/);
    rejects(['label:a:1', 'label:a:2'], /conflicting tags/);
  });

  test('step-only tags on a role cell are refused', () => {
    rejects(['parameters', 'gpus:1'], /`gpus:1` applies to steps, but this is a `parameters` cell/);
    rejects(['after:x', 'imports'], /`after:x` applies to steps/);
  });
});
