import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ansiRuns } from './ansi.js';

test('SGR colours become classes; resets and other escapes end or vanish', () => {
  assert.deepEqual(ansiRuns('plain'), [{ text: 'plain', classes: '' }]);
  assert.deepEqual(ansiRuns('\x1b[1;31mERROR\x1b[0m done\x1b[2K'), [
    { text: 'ERROR', classes: 'fg-1 bold' },
    { text: ' done', classes: '' },
  ]);
  assert.deepEqual(ansiRuns('\x1b[92mok\x1b[39m'), [{ text: 'ok', classes: 'fg-10' }]);
});
