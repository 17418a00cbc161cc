import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FerryError } from '../errors.js';
import { compileNotebookFile } from './compile-file.js';

describe('compileNotebookFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-compile-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('compiles a notebook from disk, named after the file', async () => {
    const path = join(dir, 'report.ipynb');
    writeFileSync(
      path,
      JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', metadata: {}, source: ['x = 1'] }] }),
    );
    const spec = await compileNotebookFile(path);
    assert.equal(spec.name, 'report');
    assert.deepEqual(spec.steps.map((s) => s.cells), [[{ cell: 0, source: 'x = 1' }]]);
  });

  test('a missing file is a notebook error naming the path', async () => {
    const path = join(dir, 'missing.ipynb');
    await assert.rejects(compileNotebookFile(path), (error: unknown) => {
      assert.ok(error instanceof FerryError);
      assert.equal(error.category, 'notebook');
      assert.deepEqual(error.location, { file: path });
      assert.equal(error.message, `notebook not found: ${path}`);
      return true;
    });
  });

  test('a directory is not a notebook', async () => {
    const path = join(dir, 'folder.ipynb');
    mkdirSync(path);
    await assert.rejects(compileNotebookFile(path), /expected a notebook file, found a directory/);
  });

  test('errors inside the file carry its path', async () => {
    const path = join(dir, 'broken.ipynb');
    writeFileSync(path, '{"nbformat": 4, "cells": [}');
    await assert.rejects(compileNotebookFile(path), (error: unknown) => error instanceof FerryError && error.location?.file === path);
  });
});
