import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULT_CLAIM_NAME, EXPORT_FORMATS, type ExportFormat, type StepMode } from '@ferry/core';
import { exportNotebookFile } from '@ferry/core/node';
import { ensureNoExtra, parse, positional, UsageError } from '../args.js';

const USAGE = 'ferry export NOTEBOOK --format kfp|argo --image IMAGE [--pvc CLAIM] [--mode script|notebook] [--json] [-o FILE]';

/** sysexits' EX_CANTCREAT: the output file could not be written. */
const CANNOT_CREATE = 73;

/**
 * Writes the pipeline for Kubeflow Pipelines or Argo Workflows (docs/export.md).
 * Local and pure like `compile`: no server, no cluster.
 */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      format: { type: 'string' },
      image: { type: 'string' },
      pvc: { type: 'string' },
      mode: { type: 'string' },
      json: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
    },
    USAGE,
  );
  ensureNoExtra(positionals, 1, USAGE);
  const notebook = positional(positionals, 0, 'NOTEBOOK', USAGE);
  const format = values.format;
  if (format === undefined) throw new UsageError(`missing --format (${EXPORT_FORMATS.join(' or ')})\nusage: ${USAGE}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`unknown format '${format}': kfp (Kubeflow Pipelines v2) or argo (Argo Workflows)\nusage: ${USAGE}`);
  }
  if (values.image === undefined || values.image === '') {
    throw new UsageError(`missing --image: the container image the steps run in (Python ≥ 3.8 and the notebook's packages), e.g. --image python:3.12\nusage: ${USAGE}`);
  }
  const mode = values.mode ?? 'script';
  if (mode !== 'script' && mode !== 'notebook') throw new UsageError(`--mode is script or notebook, not '${mode}'\nusage: ${USAGE}`);

  const { spec, text } = await exportNotebookFile(resolve(notebook), {
    format: format as ExportFormat,
    syntax: values.json ? 'json' : 'yaml',
    image: values.image,
    claimName: values.pvc ?? DEFAULT_CLAIM_NAME,
    mode: mode as StepMode,
  });
  const file = values.output;
  if (file === undefined || file === '-') {
    process.stdout.write(text);
    return 0;
  }
  try {
    await writeWhole(file, text);
  } catch (error) {
    process.stderr.write(`ferry: cannot write ${file}: ${reason(error)}\n`);
    return CANNOT_CREATE;
  }
  const what = format === 'kfp' ? 'Kubeflow Pipelines pipeline' : 'Argo Workflow';
  process.stdout.write(`wrote ${file}: ${what} ${spec.name}, ${plural(spec.steps.length, 'step')}, ${plural(spec.parameters.length, 'parameter')}\n`);
  return 0;
}

/** Into a temporary file beside `file`, then renamed over it: readers see the old file or the whole new one. */
async function writeWhole(file: string, text: string): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function reason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'its directory does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return (error as Error).message;
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
