/**
 * Notebooks and values Ferry must refuse, each with the category, the
 * location and the words a user would need to fix it.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FerryError, type ErrorCategory, type ErrorLocation } from '../errors.js';
import { compileNotebookFile } from '../node/compile-file.js';
import { parseParameterArgs } from '../parameters/parse-args.js';
import { resolveParameters } from '../parameters/resolve-parameters.js';
import { compileNotebookText } from './compile.js';

const fixtures = fileURLToPath(new URL('../../test-fixtures/', import.meta.url));
const FILE = 'bad.ipynb';

type Cell = { tags?: string[]; source: string; markdown?: boolean };

function notebook(cells: Cell[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' } },
    cells: cells.map((cell) => ({
      cell_type: cell.markdown ? 'markdown' : 'code',
      metadata: cell.tags ? { tags: cell.tags } : {},
      source: cell.source,
      ...(cell.markdown ? {} : { outputs: [], execution_count: null }),
    })),
  });
}

interface Expected {
  category: ErrorCategory;
  location: ErrorLocation;
  message: RegExp;
}

function assertFerryError(error: unknown, expected: Expected): true {
  assert.ok(error instanceof FerryError, `expected a FerryError, got ${String(error)}`);
  assert.equal(error.category, expected.category, error.message);
  assert.deepEqual(error.location, expected.location);
  assert.match(error.message, expected.message);
  return true;
}

function refuses(text: string, expected: Expected): void {
  assert.throws(() => compileNotebookText(text, FILE), (error) => assertFerryError(error, expected));
}

describe('bad notebooks', () => {
  test('malformed JSON: the line of the missing comma', () => {
    const text = readFileSync(join(fixtures, 'malformed-json.ipynb'), 'utf8');
    refuses(text, { category: 'notebook', location: { file: FILE, line: 7 }, message: /not valid JSON: expected ',' or '}' after a property value at line 7/ });
  });

  test('nbformat 3: says how to convert', () => {
    const text = readFileSync(join(fixtures, 'nbformat3.ipynb'), 'utf8');
    refuses(text, {
      category: 'notebook',
      location: { file: FILE, field: 'nbformat' },
      message: /nbformat 3 is not supported; convert with `jupyter nbconvert --to notebook --nbformat 4`/,
    });
  });

  test('a missing notebook file', async () => {
    const path = join(fixtures, 'no-such-notebook.ipynb');
    await assert.rejects(compileNotebookFile(path), (error) =>
      assertFerryError(error, { category: 'notebook', location: { file: path }, message: /notebook not found/ }),
    );
  });

  test('an unknown tag: names the cell and the tag, lists the valid forms', () => {
    refuses(notebook([{ source: '# intro', markdown: true }, { tags: ['step:a'], source: 'x = 1' }, { tags: ['gpu:1'], source: 'y = 2' }]), {
      category: 'tag',
      location: { file: FILE, cell: 2, field: 'cells[2].metadata.tags[0]' },
      message: /unknown tag `gpu:1` \(did you mean `gpus:1`\?\); valid tags: step:NAME/,
    });
  });

  test('step names with shell metacharacters', () => {
    for (const tag of ['step:a;rm -rf', 'step:$(id)', 'block:`id`', 'step:a b']) {
      refuses(notebook([{ tags: [tag], source: 'x = 1' }]), {
        category: 'tag',
        location: { file: FILE, cell: 0, field: 'cells[0].metadata.tags[0]' },
        message: /is not a valid step name/,
      });
    }
    refuses(notebook([{ tags: ['step:a', 'after:$(id)'], source: 'x = 1' }]), {
      category: 'tag',
      location: { file: FILE, cell: 0, field: 'cells[0].metadata.tags[1]' },
      message: /`\$\(id\)` is not a valid step name/,
    });
  });

  test('a cycle between steps: names the steps and the cells of the after: tags', () => {
    refuses(
      notebook([
        { tags: ['imports'], source: 'import os' },
        { tags: ['step:a', 'after:c'], source: 'x = 1' },
        { tags: ['step:b', 'after:a'], source: 'y = 2' },
        { tags: ['step:c', 'after:b'], source: 'z = 3' },
      ]),
      {
        category: 'pipeline',
        location: { file: FILE, cell: 2, step: 'b' },
        message: /cycle: a → b → c → a \(cells 1, 2, 3\)/,
      },
    );
  });

  test('a step after itself is a cycle too', () => {
    refuses(notebook([{ tags: ['step:a', 'after:a'], source: 'x = 1' }]), {
      category: 'pipeline',
      location: { file: FILE, cell: 0, step: 'a' },
      message: /cycle: a → a/,
    });
  });

  test('an unknown prev: step lists the known steps', () => {
    refuses(
      notebook([
        { tags: ['block:load'], source: 'x = 1' },
        { tags: ['block:train', 'prev:laod'], source: 'y = x' },
      ]),
      {
        category: 'pipeline',
        location: { file: FILE, cell: 1, step: 'train' },
        message: /step `train` runs after `laod`, but there is no such step; steps: load, train/,
      },
    );
  });

  test('duplicate step names that differ only in case or -/_', () => {
    refuses(
      notebook([
        { tags: ['step:load-data'], source: 'x = 1' },
        { tags: ['step:Load_data'], source: 'y = 2' },
      ]),
      {
        category: 'pipeline',
        location: { file: FILE, cell: 1, step: 'Load_data' },
        message: /duplicate step name: `Load_data` \(cell 1\) and `load-data` \(cell 0\)/,
      },
    );
  });

  test('a non-literal parameter default: the cell, line and parameter', () => {
    refuses(notebook([{ tags: ['parameters'], source: 'epochs = 10\nstart = time.time()  # when' }, { source: 'print(epochs)' }]), {
      category: 'parameter',
      location: { file: FILE, cell: 0, line: 2, parameter: 'start' },
      message: /defaults must be literals .*`time\.time\(\)` is a function call/,
    });
  });

  test('two parameters cells', () => {
    refuses(notebook([{ tags: ['parameters'], source: 'a = 1' }, { tags: ['pipeline-parameters'], source: 'b = 2' }]), {
      category: 'tag',
      location: { file: FILE, cell: 1, field: 'cells[1].metadata.tags' },
      message: /only one parameters cell is allowed, but cells 0 and 1/,
    });
  });

  test('an untagged cell before the first step', () => {
    refuses(notebook([{ source: 'setup = 1' }, { tags: ['step:a'], source: 'x = setup' }]), {
      category: 'tag',
      location: { file: FILE, cell: 0, field: 'cells[0].metadata.tags' },
      message: /tag it `imports`, `functions`, `step:NAME` or `skip`/,
    });
  });

  test('a Python syntax error: the cell and the line', () => {
    refuses(notebook([{ tags: ['step:a'], source: 'x = 1' }, { source: 'y = 2\nif y >\n    pass' }]), {
      category: 'notebook',
      location: { file: FILE, cell: 1, line: 2 },
      message: /Python syntax error: `if y >`/,
    });
  });

  test('a value used from a step that is not upstream', () => {
    refuses(
      notebook([
        { tags: ['step:prepare'], source: 'data = 1' },
        { tags: ['step:train', 'after:prepare'], source: 'weights = data * 2' },
        { tags: ['step:evaluate', 'after:prepare'], source: 'score = data' },
        { source: 'print(weights)' },
      ]),
      {
        category: 'pipeline',
        location: { file: FILE, cell: 3, step: 'evaluate' },
        message: /step `evaluate` uses `weights`, defined in step `train`, which is not upstream of it; add `after:train`/,
      },
    );
  });

  test('a pipeline-metrics name that no step defines', () => {
    refuses(
      notebook([
        { tags: ['step:a'], source: 'loss = 1' },
        { tags: ['pipeline-metrics'], source: 'loss\naccuracy' },
      ]),
      { category: 'pipeline', location: { file: FILE, cell: 1, line: 2 }, message: /metric `accuracy` .* not defined by any step/ },
    );
  });

  test('a notebook for another language', () => {
    const text = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { language: 'R', name: 'ir' } }, cells: [] });
    refuses(text, { category: 'notebook', location: { file: FILE, field: 'metadata.kernelspec.language' }, message: /language is R/ });
  });
});

describe('bad parameter values', () => {
  const spec = compileNotebookText(
    notebook([{ tags: ['parameters'], source: 'name = "run"\nepochs = 10  # passes' }, { source: 'print(name, epochs)' }]),
    FILE,
  );

  test('a wrong type: epochs=ten', () => {
    assert.throws(
      () => resolveParameters(spec, parseParameterArgs(['epochs=ten']), { fromStrings: true }),
      (error) =>
        assertFerryError(error, {
          category: 'parameter',
          location: { parameter: 'epochs', cell: 0, line: 2 },
          message: /^parameter `epochs` expects int, got 'ten'$/,
        }),
    );
  });

  test('code smuggled into a number: epochs=1; import os', () => {
    assert.throws(
      () => resolveParameters(spec, parseParameterArgs(['epochs=1; import os']), { fromStrings: true }),
      (error) =>
        assertFerryError(error, {
          category: 'parameter',
          location: { parameter: 'epochs', cell: 0, line: 2 },
          message: /expects int, got '1; import os'/,
        }),
    );
  });

  test('the same text for a str parameter stays an inert string', () => {
    const values = resolveParameters(spec, parseParameterArgs(['name=x=1; import os']), { fromStrings: true });
    assert.equal(values['name'], 'x=1; import os');
  });

  test('a malformed -p argument', () => {
    assert.throws(
      () => parseParameterArgs(['epochs']),
      (error) => assertFerryError(error, { category: 'parameter', location: { parameter: 'epochs' }, message: /expected NAME=VALUE/ }),
    );
  });
});
