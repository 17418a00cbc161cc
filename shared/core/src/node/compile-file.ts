/** Compiling a notebook straight from disk (CLI, server). */

import { readFile } from 'node:fs/promises';
import { compileNotebookText } from '../compiler/compile.js';
import { FerryError } from '../errors.js';
import type { PipelineSpec } from '../spec.js';

export async function compileNotebookFile(path: string): Promise<PipelineSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'notebook not found'
        : code === 'EISDIR'
          ? 'expected a notebook file, found a directory'
          : code === 'EACCES'
            ? 'notebook is not readable (permission denied)'
            : `cannot read the notebook (${code ?? (e as Error).message})`;
    throw new FerryError('notebook', `${reason}: ${path}`, { file: path });
  }
  return compileNotebookText(text, path);
}
