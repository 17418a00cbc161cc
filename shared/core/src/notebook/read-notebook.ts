/**
 * Reading an nbformat v4 file. Every rejection says what is wrong and where
 * (file, cell, JSON field), because the file was usually edited by a tool
 * the user cannot easily inspect.
 */

import { FerryError } from '../errors.js';
import type { JsonValue } from '../spec.js';
import { findJsonSyntaxError } from './json-syntax-error.js';
import type { CellType, Notebook, NotebookCell } from './notebook.js';

const CELL_TYPES: readonly CellType[] = ['code', 'markdown', 'raw'];

type JsonObject = { [key: string]: JsonValue };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readNotebook(text: string, file: string): Notebook {
  const json = parseJson(text, file);
  if (!isObject(json)) {
    throw new FerryError('notebook', `${file} is not a notebook: the top level must be a JSON object`, { file });
  }
  checkFormatVersion(json, file);

  const cells = json['cells'];
  if (!Array.isArray(cells)) {
    throw new FerryError(
      'notebook',
      cells === undefined ? `${file} has no \`cells\` list` : `\`cells\` must be a list`,
      { file, field: 'cells' },
    );
  }
  const metadata = json['metadata'];
  if (metadata !== undefined && !isObject(metadata)) {
    throw new FerryError('notebook', '`metadata` must be an object', { file, field: 'metadata' });
  }
  const minor = json['nbformat_minor'];
  return {
    nbformat: 4,
    nbformatMinor: typeof minor === 'number' ? minor : 0,
    metadata: metadata ?? {},
    cells: cells.map((cell, index) => readCell(cell, index, file)),
  };
}

function parseJson(text: string, file: string): unknown {
  // Some Windows editors start the file with a byte-order mark, which JSON.parse refuses.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch {
    const where = findJsonSyntaxError(text);
    if (!where) throw new FerryError('notebook', `${file} is not valid JSON`, { file });
    throw new FerryError(
      'notebook',
      `${file} is not valid JSON: ${where.reason} at line ${where.line}, column ${where.column}`,
      { file, line: where.line },
    );
  }
}

function checkFormatVersion(json: JsonObject, file: string): void {
  const version = json['nbformat'];
  if (version === 4) return;
  if (typeof version === 'number') {
    throw new FerryError(
      'notebook',
      `nbformat ${version} is not supported; convert with \`jupyter nbconvert --to notebook --nbformat 4\``,
      { file, field: 'nbformat' },
    );
  }
  throw new FerryError('notebook', `${file} is not a notebook: \`nbformat\` is missing or not a number`, {
    file,
    field: 'nbformat',
  });
}

function readCell(cell: JsonValue, index: number, file: string): NotebookCell {
  const at = (field: string) => ({ file, cell: index, field: `cells[${index}]${field}` });
  if (!isObject(cell)) throw new FerryError('notebook', `cell ${index} is not a JSON object`, at(''));

  const cellType = cell['cell_type'];
  if (typeof cellType !== 'string' || !(CELL_TYPES as readonly string[]).includes(cellType)) {
    throw new FerryError(
      'notebook',
      `cell ${index} has ${cellType === undefined ? 'no' : `an invalid`} \`cell_type\`; expected one of ${CELL_TYPES.join(', ')}`,
      at('.cell_type'),
    );
  }

  const source = cell['source'];
  let text: string;
  if (typeof source === 'string') text = source;
  else if (Array.isArray(source) && source.every((line) => typeof line === 'string')) text = source.join('');
  else throw new FerryError('notebook', `cell ${index}: \`source\` must be a string or a list of strings`, at('.source'));

  const metadata = cell['metadata'];
  if (metadata !== undefined && !isObject(metadata)) {
    throw new FerryError('notebook', `cell ${index}: \`metadata\` must be an object`, at('.metadata'));
  }
  const tags = metadata?.['tags'];
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) {
    throw new FerryError('notebook', `cell ${index}: \`metadata.tags\` must be a list of strings`, at('.metadata.tags'));
  }

  return { index, cellType: cellType as CellType, source: text, tags: (tags as string[] | undefined) ?? [] };
}
