import { writeFile } from 'node:fs/promises';
import type { FerryClient } from '@ferry/core';
import { ensureNoExtra, parse, positional, UsageError } from '../args.js';

const USAGE = 'ferry notebook RUN STEP [-o FILE|-] [--force]';

/** Saves a notebook-mode step's executed notebook (from any target) to a file, never over one unless told. */
export async function notebookCommand(argv: string[], client: () => Promise<FerryClient>): Promise<number> {
  const { values, positionals } = parse(argv, { output: { type: 'string', short: 'o' }, force: { type: 'boolean' } }, USAGE);
  ensureNoExtra(positionals, 2, USAGE);
  const runId = positional(positionals, 0, 'RUN', USAGE);
  const step = positional(positionals, 1, 'STEP', USAGE);
  const notebook = await (await client()).executedNotebook(runId, step);
  // nbformat's own layout (one-space indent), so the file diffs cleanly against one Jupyter saved.
  const text = JSON.stringify(notebook, null, 1) + '\n';
  const file = values.output ?? `${step}.executed.ipynb`;
  if (file === '-') {
    process.stdout.write(text);
    return 0;
  }
  try {
    // 'wx' fails if the file exists: checked and created in one step.
    await writeFile(file, text, { flag: values.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} exists; pass --force to overwrite it`);
    throw error;
  }
  process.stdout.write(`wrote ${file} (${notebook.cells.length} cells)\n`);
  return 0;
}
