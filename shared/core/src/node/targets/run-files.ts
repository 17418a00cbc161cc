/**
 * Files of a run directory that clients may read whole through a target
 * (the executed notebook of a notebook-mode step, docs/run-directory.md).
 * Only paths under `steps/<step>/` are served, checked here before any
 * target builds a path from them: a remote target puts the path into a
 * shell script (quoted), a local one opens it, and neither may reach a file
 * outside the run directory.
 */
import { FerryError } from '../../errors.js';
import type { Run } from '../../run.js';
import { STEP_NAME_PATTERN } from '../../tags/index.js';

/** One segment below the step directory: no `.`/`..`, no hidden files, nothing a shell or a path could misread. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
const MAX_PATH_LENGTH = 1024;

/** Where notebook mode keeps a step's executed notebook, relative to the run directory. */
export const executedNotebookPath = (step: string) => `steps/${step}/executed.ipynb`;

/**
 * `relativePath` itself when it names a file under `steps/<step>/` (a valid
 * step name, then plain names, `/`-separated); otherwise a 'request' error
 * saying what is wrong with it.
 */
export function checkRunFilePath(relativePath: string): string {
  const refuse = (why: string) => {
    throw new FerryError('request', `cannot read "${relativePath}" from a run directory: ${why}`, { field: 'path' });
  };
  if (relativePath.length > MAX_PATH_LENGTH) refuse(`the path is longer than ${MAX_PATH_LENGTH} characters`);
  const [top, step, ...rest] = relativePath.split('/');
  if (top !== 'steps' || step === undefined || rest.length === 0) refuse('only files under steps/<step>/ can be read');
  if (!STEP_NAME_PATTERN.test(step!)) refuse(`"${step}" is not a step name`);
  const bad = rest.find((segment) => !SEGMENT.test(segment));
  if (bad !== undefined) {
    refuse(bad === '' ? 'the path has an empty segment' : `"${bad}" is not allowed in the path (letters, digits, "_", "-" and "." only, not first)`);
  }
  return relativePath;
}

/** The file is not there (a target says so the same way, so the engine can say why). */
export function runFileMissing(run: Pick<Run, 'id' | 'target' | 'runDir'>, relativePath: string): FerryError {
  return new FerryError('not-found', `run ${run.id} has no file ${relativePath} on target "${run.target}" (looked in ${run.runDir})`, {
    file: relativePath,
  });
}

export function runFileTooLarge(run: Pick<Run, 'id' | 'runDir'>, relativePath: string, size: number, maxBytes: number): FerryError {
  return new FerryError(
    'conflict',
    `${relativePath} of run ${run.id} is ${size} bytes, more than the ${maxBytes} bytes served through the API; copy it from ${run.runDir}/${relativePath}`,
    { file: relativePath },
  );
}

/** A path that resolves outside the run directory (a symbolic link): refused as if it were not there, but saying so. */
export function runFileOutside(run: Pick<Run, 'id'>, relativePath: string): FerryError {
  return new FerryError('request', `${relativePath} of run ${run.id} leads outside the run directory (a symbolic link?); it is not served`, {
    file: relativePath,
  });
}
