/**
 * Each notebook in examples/ compiles to exactly its golden spec in
 * shared/core/golden/. A change in the compiler's output shows up here as a
 * diff to review; `npm run golden:update` accepts it.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileNotebookText } from './compile.js';

// dist/compiler/ → the repository root
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const examplesDir = join(repoRoot, 'examples');
const goldenDir = join(repoRoot, 'shared/core/golden');
const updating = process.env['FERRY_UPDATE_GOLDEN'] === '1';

const notebooks = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.ipynb'))
  .sort();

describe('golden specs of examples/', () => {
  test('there are examples to check', () => {
    assert.ok(notebooks.length >= 3, `expected the example notebooks in ${examplesDir}`);
  });

  for (const notebook of notebooks) {
    const name = notebook.replace(/\.ipynb$/, '');
    test(name, () => {
      const text = readFileSync(join(examplesDir, notebook), 'utf8');
      const actual = JSON.stringify(compileNotebookText(text, `examples/${notebook}`), null, 2) + '\n';
      const goldenPath = join(goldenDir, `${name}.spec.json`);
      if (updating) {
        writeFileSync(goldenPath, actual);
        return;
      }
      let expected: string;
      try {
        expected = readFileSync(goldenPath, 'utf8');
      } catch {
        assert.fail(`no golden spec ${goldenPath}; run \`npm run golden:update\` and review it`);
      }
      if (actual !== expected) assert.fail(describeDifference(`golden/${name}.spec.json`, expected, actual));
    });
  }

  test('every golden spec belongs to an example', () => {
    const stale = readdirSync(goldenDir)
      .filter((file) => file.endsWith('.spec.json'))
      .filter((file) => !notebooks.includes(file.replace(/\.spec\.json$/, '.ipynb')));
    assert.deepEqual(stale, [], 'golden specs without a notebook in examples/');
  });
});

/** The differing block of lines between the common head and tail, as -/+ lines. */
function describeDifference(label: string, expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  let head = 0;
  while (head < want.length && head < got.length && want[head] === got[head]) head++;
  let tail = 0;
  while (
    tail < want.length - head &&
    tail < got.length - head &&
    want[want.length - 1 - tail] === got[got.length - 1 - tail]
  ) {
    tail++;
  }
  const limit = 20;
  const removed = want.slice(head, want.length - tail);
  const added = got.slice(head, got.length - tail);
  const show = (lines: string[], mark: string) => [
    ...lines.slice(0, limit).map((line) => `${mark} ${line}`),
    ...(lines.length > limit ? [`${mark} ... ${lines.length - limit} more lines`] : []),
  ];
  return [
    `the compiled spec differs from ${label} at line ${head + 1} (- golden, + compiled):`,
    ...(head > 0 ? [`  ${want[head - 1]}`] : []),
    ...show(removed, '-'),
    ...show(added, '+'),
    `if the change is intended, run \`npm run golden:update\` and review the diff`,
  ].join('\n');
}
