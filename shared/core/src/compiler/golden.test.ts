/**
 * Each notebook in examples/ compiles to exactly its golden spec in
 * shared/core/golden/. A change in the compiler's output shows up here as a
 * diff to review; `npm run golden:update` accepts it.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertGolden } from '../node/golden-files.js';
import { compileNotebookText } from './compile.js';

// dist/compiler/ → the repository root
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const examplesDir = join(repoRoot, 'examples');
const goldenDir = join(repoRoot, 'shared/core/golden');

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
      assertGolden(join(goldenDir, `${name}.spec.json`), actual, import.meta.url);
    });
  }

  test('every golden spec belongs to an example', () => {
    const stale = readdirSync(goldenDir)
      .filter((file) => file.endsWith('.spec.json'))
      .filter((file) => !notebooks.includes(file.replace(/\.spec\.json$/, '.ipynb')));
    assert.deepEqual(stale, [], 'golden specs without a notebook in examples/');
  });
});
