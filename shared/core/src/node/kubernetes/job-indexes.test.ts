import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FerryError } from '../../errors.js';
import { JobIndexes } from './job-indexes.js';

const members = (indexes: JobIndexes, upTo: number) => Array.from({ length: upTo }, (_, index) => index).filter((index) => indexes.has(index));

describe('completion indexes as an Indexed Job lists them', () => {
  test('single indexes and runs, as the API server writes them', () => {
    const indexes = JobIndexes.parse('1,3-5,7', 'status.completedIndexes');
    assert.deepEqual(members(indexes, 10), [1, 3, 4, 5, 7]);
    assert.equal(indexes.size, 5);
    assert.equal(JobIndexes.parse('0-3', 'x').size, 4);
  });

  test('none, however the field says it', () => {
    for (const text of [undefined, '']) {
      const indexes = JobIndexes.parse(text, 'status.failedIndexes');
      assert.equal(indexes.size, 0);
      assert.equal(indexes.has(0), false);
    }
  });

  test('a long run costs nothing', () => {
    const indexes = JobIndexes.parse('0-999999999', 'x');
    assert.equal(indexes.size, 1_000_000_000);
    assert.equal(indexes.has(123_456_789), true);
  });

  test('text that is not increasing indexes is an error naming the field', () => {
    for (const text of ['3-1', '1,1', '2,1', '1,,2', '-1', 'a', '1-', ' 1', '1-2-3', '1.5', '0-2,2']) {
      assert.throws(
        () => JobIndexes.parse(text, 'Job ferry-s-train: status.completedIndexes'),
        (error: unknown) => error instanceof FerryError && error.message.includes('Job ferry-s-train: status.completedIndexes') && error.message.includes(JSON.stringify(text)),
        text,
      );
    }
  });
});
