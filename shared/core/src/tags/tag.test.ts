import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FerryError } from '../errors.js';
import { parseTag } from './tag.js';

function tagError(tag: string): FerryError {
  try {
    parseTag(tag, { file: 'nb.ipynb', cell: 4 });
  } catch (e) {
    assert.ok(e instanceof FerryError);
    assert.equal(e.category, 'tag');
    assert.deepEqual(e.location, { file: 'nb.ipynb', cell: 4 });
    return e;
  }
  assert.fail(`tag ${tag} was accepted`);
}

describe('tag grammar', () => {
  test('steps and dependencies, with the Kale spellings', () => {
    assert.deepEqual(parseTag('step:train'), { kind: 'step', name: 'train' });
    assert.deepEqual(parseTag('block:load-data'), { kind: 'step', name: 'load-data' });
    assert.deepEqual(parseTag('after:train'), { kind: 'after', name: 'train' });
    assert.deepEqual(parseTag('prev:_prep'), { kind: 'after', name: '_prep' });
  });

  test('roles, with the Papermill and Kale spellings', () => {
    assert.deepEqual(parseTag('parameters'), { kind: 'role', role: 'parameters' });
    assert.deepEqual(parseTag('pipeline-parameters'), { kind: 'role', role: 'parameters' });
    assert.deepEqual(parseTag('pipeline-metrics'), { kind: 'role', role: 'metrics' });
    assert.deepEqual(parseTag('imports'), { kind: 'role', role: 'imports' });
    assert.deepEqual(parseTag('functions'), { kind: 'role', role: 'functions' });
    assert.deepEqual(parseTag('skip'), { kind: 'role', role: 'skip' });
  });

  test('Papermill and Jupyter display tags are accepted and ignored', () => {
    for (const tag of ['injected-parameters', 'hide-input', 'remove-cell', 'raises-exception']) {
      assert.deepEqual(parseTag(tag), { kind: 'ignored' });
    }
  });

  test('resources in Ferry and Kale notation', () => {
    const value = (tag: string) => {
      const parsed = parseTag(tag);
      assert.equal(parsed.kind, 'resource');
      return parsed.kind === 'resource' ? [parsed.resource, parsed.value] : undefined;
    };
    assert.deepEqual(value('gpus:2'), ['gpus', 2]);
    assert.deepEqual(value('cpus:8'), ['cpus', 8]);
    assert.deepEqual(value('mem:32G'), ['memoryMiB', 32768]);
    assert.deepEqual(value('mem:512M'), ['memoryMiB', 512]);
    assert.deepEqual(value('mem:4Gi'), ['memoryMiB', 4096]);
    assert.deepEqual(value('mem:2GB'), ['memoryMiB', 2048]);
    assert.deepEqual(value('mem:1T'), ['memoryMiB', 1048576]);
    assert.deepEqual(value('mem:1536K'), ['memoryMiB', 2]);
    assert.deepEqual(value('time:2h'), ['timeMinutes', 120]);
    assert.deepEqual(value('time:90m'), ['timeMinutes', 90]);
    assert.deepEqual(value('time:1h30m'), ['timeMinutes', 90]);
    assert.deepEqual(value('time:45s'), ['timeMinutes', 1]);
    assert.deepEqual(value('time:2d'), ['timeMinutes', 2880]);
    assert.deepEqual(value('time:01:30:00'), ['timeMinutes', 90]);
    assert.deepEqual(value('time:1-12:00:00'), ['timeMinutes', 2160]);
    assert.deepEqual(value('time:30'), ['timeMinutes', 30]);
    assert.deepEqual(value('limit:nvidia.com/gpu:1'), ['gpus', 1]);
    assert.deepEqual(value('limit:cpu:4'), ['cpus', 4]);
    assert.deepEqual(value('limit:cpu:500m'), ['cpus', 0.5]);
    assert.deepEqual(value('limit:memory:8Gi'), ['memoryMiB', 8192]);
  });

  test('labels and annotations keep everything after the key', () => {
    assert.deepEqual(parseTag('label:team:vision'), { kind: 'label', key: 'team', value: 'vision' });
    assert.deepEqual(parseTag('annotation:example.com/url:http://x:8080'), {
      kind: 'annotation',
      key: 'example.com/url',
      value: 'http://x:8080',
    });
  });

  test('malformed values name the tag and show the expected form', () => {
    assert.match(tagError('gpus:two').message, /`gpus:two`: expected a whole number of GPUs, e\.g\. `gpus:1`/);
    assert.match(tagError('mem:32').message, /`mem:32`: expected a size with a unit/);
    assert.match(tagError('time:0m').message, /`time:0m`: expected a positive duration/);
    assert.match(tagError('cpus:-1').message, /`cpus:-1`/);
    assert.match(tagError('limit:tpu:1').message, /unknown limit.*limit:nvidia\.com\/gpu:N/);
    assert.match(tagError('label:novalue').message, /label:KEY:VALUE/);
  });

  test('step names are restricted to characters safe in paths and job names', () => {
    assert.match(tagError('step:').message, /needs a step name/);
    for (const name of ['a;rm -rf', '$(id)', 'two words', 'a/b', '"q"', '1st', 'x'.repeat(64)]) {
      assert.match(tagError(`step:${name}`).message, /is not a valid step name/);
    }
    assert.deepEqual(parseTag(`step:${'x'.repeat(63)}`), { kind: 'step', name: 'x'.repeat(63) });
  });

  test('an unknown tag lists the valid forms and suggests a near miss', () => {
    const error = tagError('setp:train');
    assert.match(error.message, /unknown tag `setp:train` \(did you mean `step:train`\?\)/);
    assert.match(error.message, /valid tags: step:NAME .*gpus:N.*label:KEY:VALUE/);
    assert.match(tagError('paramters').message, /did you mean `parameters`/);
    assert.doesNotMatch(tagError('frobnicate').message, /did you mean/);
  });
});
