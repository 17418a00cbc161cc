import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cellSteps, stepHue } from './cell-steps.js';

describe('cell steps', () => {
  test('untagged cells continue the step above; role and markdown cells belong to none', () => {
    const infos = cellSteps([
      { type: 'code', tags: ['imports'] },
      { type: 'code', tags: [] },
      { type: 'code', tags: ['block:prepare'] },
      { type: 'code', tags: [] },
      { type: 'markdown', tags: [] },
      { type: 'code', tags: ['step:train', 'gpus:1'] },
      { type: 'code', tags: ['pipeline-metrics'] },
      { type: 'code', tags: ['step:bad name'] },
    ]);
    assert.deepEqual(infos, [
      { role: 'imports', starts: false },
      { starts: false },
      { step: 'prepare', starts: true },
      { step: 'prepare', starts: false },
      { starts: false },
      { step: 'train', starts: true },
      { role: 'pipeline-metrics', starts: false },
      { step: 'train', starts: false },
    ]);
  });

  test('a step keeps its colour', () => {
    assert.equal(stepHue('train'), stepHue('train'));
    assert.notEqual(stepHue('train'), stepHue('prepare'));
    assert.ok(stepHue('x') >= 0 && stepHue('x') < 360);
  });
});
