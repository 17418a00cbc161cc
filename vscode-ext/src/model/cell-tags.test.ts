import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyAssignment, currentAssignment, notebookDialect, parseResourceText, stepNames, summarizeCellTags } from './cell-tags.js';

test('a step with dependencies and resources is written in Ferry tags, other tags kept after them', () => {
  const tags = applyAssignment(['hide-input', 'step:old'], { purpose: 'step', step: 'train', after: ['prepare'], resources: ['gpus:1', 'mem:32G'] }, 'ferry');
  assert.deepEqual(tags, ['step:train', 'after:prepare', 'gpus:1', 'mem:32G', 'hide-input']);
});

test('in a Kale notebook the same assignment uses block:, prev: and pipeline-parameters', () => {
  assert.equal(notebookDialect([['imports'], ['block:prepare']]), 'kale');
  assert.equal(notebookDialect([['parameters'], ['step:a']]), 'ferry');
  assert.deepEqual(applyAssignment([], { purpose: 'step', step: 'train', after: ['prepare'] }, 'kale'), ['block:train', 'prev:prepare']);
  assert.deepEqual(applyAssignment(['block:x'], { purpose: 'parameters' }, 'kale'), ['pipeline-parameters']);
  assert.deepEqual(applyAssignment([], { purpose: 'parameters' }, 'ferry'), ['parameters']);
});

test('roles replace the step tags; "none" removes every Ferry tag but keeps the others', () => {
  assert.deepEqual(applyAssignment(['step:a', 'cpus:2', 'remove-output'], { purpose: 'imports' }, 'ferry'), ['imports', 'remove-output']);
  assert.deepEqual(applyAssignment(['block:a', 'prev:b', 'limit:nvidia.com/gpu:1', 'label:team:x'], { purpose: 'none' }, 'kale'), ['label:team:x']);
  assert.deepEqual(applyAssignment([], { purpose: 'pipeline-metrics' }, 'ferry'), ['pipeline-metrics']);
});

test('bad step names, self-dependencies and non-resources are refused with the reason', () => {
  assert.throws(() => applyAssignment([], { purpose: 'step', step: '1st step' }, 'ferry'), /not a valid step name/);
  assert.throws(() => applyAssignment([], { purpose: 'step', step: '' }, 'ferry'), /needs a name/);
  assert.throws(() => applyAssignment([], { purpose: 'step', step: 'a', after: ['a'] }, 'ferry'), /after itself/);
  assert.throws(() => applyAssignment([], { purpose: 'step', step: 'a', resources: ['skip'] }, 'ferry'), /not a resource/);
  assert.throws(() => parseResourceText('gpus:1 mem:lots'), /mem:lots/);
  assert.deepEqual(parseResourceText(' gpus:1,  time:2h '), ['gpus:1', 'time:2h']);
});

test('the current assignment and step names are read back from the tags', () => {
  assert.deepEqual(currentAssignment(['block:train', 'prev:prepare', 'cpus:2', 'unknown-tag']), {
    purpose: 'step',
    step: 'train',
    after: ['prepare'],
    resources: ['cpus:2'],
  });
  assert.equal(currentAssignment(['pipeline-parameters']).purpose, 'parameters');
  assert.deepEqual(stepNames([['imports'], ['block:prepare'], [], ['block:train', 'prev:prepare'], ['step:prepare']]), ['prepare', 'train']);
});

test('the status bar line says the step and role, and what is wrong with bad tags', () => {
  assert.equal(summarizeCellTags([]), undefined);
  assert.equal(summarizeCellTags(['hide-input']), undefined);
  assert.deepEqual(summarizeCellTags(['block:train', 'prev:prepare', 'cpus:2', 'mem:2G']), { text: 'step train · after prepare · cpus:2 mem:2G' });
  assert.deepEqual(summarizeCellTags(['pipeline-parameters']), { text: 'parameters' });
  const conflict = summarizeCellTags(['imports', 'gpus:1']);
  assert.match(conflict?.problem ?? '', /applies to steps/);
  const typo = summarizeCellTags(['paramters']);
  assert.equal(typo?.text, 'tag paramters');
  assert.match(typo?.problem ?? '', /did you mean `parameters`/);
});
