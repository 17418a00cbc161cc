import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FerryError, type ErrorLocation } from '../errors.js';
import { readNotebook } from './read-notebook.js';

function nb(cells: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells, ...extra }, null, 1);
}

function rejects(text: string, location: ErrorLocation, message: RegExp) {
  assert.throws(
    () => readNotebook(text, 'work/nb.ipynb'),
    (error: unknown) => {
      assert.ok(error instanceof FerryError);
      assert.equal(error.category, 'notebook');
      assert.deepEqual(error.location, { file: 'work/nb.ipynb', ...location });
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('reading nbformat v4', () => {
  test('cells keep their index, type, joined source and tags', () => {
    const notebook = readNotebook(
      nb([
        { cell_type: 'markdown', metadata: {}, source: ['# Title\n', 'text'] },
        { cell_type: 'code', metadata: { tags: ['step:a'] }, source: ['x = 1\n', 'y = 2'], outputs: [] },
        { cell_type: 'code', source: 'z = 3' },
      ]),
      'nb.ipynb',
    );
    assert.deepEqual(notebook.cells, [
      { index: 0, cellType: 'markdown', source: '# Title\ntext', tags: [] },
      { index: 1, cellType: 'code', source: 'x = 1\ny = 2', tags: ['step:a'] },
      { index: 2, cellType: 'code', source: 'z = 3', tags: [] },
    ]);
    assert.equal(notebook.nbformatMinor, 5);
  });

  test('a byte-order mark before the JSON is accepted', () => {
    assert.equal(readNotebook('\ufeff' + nb([]), 'nb.ipynb').cells.length, 0);
  });

  test('invalid JSON reports the line and column', () => {
    rejects('{\n  "nbformat": 4,\n  "cells": [\n    {"cell_type": "code",}\n  ]\n}', { line: 4 }, /not valid JSON: expected a double-quoted property name at line 4, column 26/);
    rejects('{"nbformat": 4, "cells": [', { line: 1 }, /unexpected end of file at line 1, column 27/);
    rejects('', { line: 1 }, /not valid JSON/);
  });

  test('other nbformat versions are refused with the conversion command', () => {
    rejects(JSON.stringify({ nbformat: 3, worksheets: [] }), { field: 'nbformat' }, /nbformat 3 is not supported; convert with `jupyter nbconvert --to notebook --nbformat 4`/);
    rejects(JSON.stringify({ cells: [] }), { field: 'nbformat' }, /`nbformat` is missing/);
    rejects('[1, 2]', {}, /top level must be a JSON object/);
  });

  test('structural problems name the cell and the field', () => {
    rejects(JSON.stringify({ nbformat: 4, metadata: {} }), { field: 'cells' }, /no `cells` list/);
    rejects(nb([{ cell_type: 'code', source: '' }, { cell_type: 'widget', source: '' }]), { cell: 1, field: 'cells[1].cell_type' }, /expected one of code, markdown, raw/);
    rejects(nb([{ source: '' }]), { cell: 0, field: 'cells[0].cell_type' }, /no `cell_type`/);
    rejects(
      nb([
        { cell_type: 'code', source: '' },
        { cell_type: 'raw', source: '' },
        { cell_type: 'markdown', source: '' },
        { cell_type: 'code', source: [1, 2] },
      ]),
      { cell: 3, field: 'cells[3].source' },
      /`source` must be a string or a list of strings/,
    );
    rejects(nb([{ cell_type: 'code', source: '', metadata: { tags: 'step:a' } }]), { cell: 0, field: 'cells[0].metadata.tags' }, /list of strings/);
    rejects(nb([{ cell_type: 'code', source: '', metadata: { tags: ['ok', 3] } }]), { cell: 0, field: 'cells[0].metadata.tags' }, /list of strings/);
    rejects(nb(['not a cell']), { cell: 0, field: 'cells[0]' }, /not a JSON object/);
  });
});
