/**
 * The step runtime and the modules it loads from its own directory, read
 * once to go into each run's ConfigMap: pods find them in /ferry/code, under
 * the same file names as in a run directory elsewhere.
 */
import { readFile } from 'node:fs/promises';
import { BUNDLED_RUNTIME, runtimeCompanions } from '../targets/local.js';

/** File name → text, `ferry_runtime.py` first. */
export type RuntimeFiles = Record<string, string>;

export const RUNTIME_FILE_NAME = 'ferry_runtime.py';

export async function readRuntimeFiles(runtimeFile: string = BUNDLED_RUNTIME): Promise<RuntimeFiles> {
  const files: RuntimeFiles = { [RUNTIME_FILE_NAME]: await readFile(runtimeFile, 'utf8') };
  for (const companion of runtimeCompanions(runtimeFile)) files[companion.name] = await readFile(companion.path, 'utf8');
  return files;
}
