/**
 * `ferry export` from disk: the notebook compiled, the step runtime read
 * from where this package keeps it, then the pure generator
 * (shared/core/src/export/).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { exportPipeline, RUNTIME_FILE, type ExportedFile, type ExportRequest } from '../export/index.js';
import type { PipelineSpec } from '../spec.js';
import { compileNotebookFile } from './compile-file.js';
import { BUNDLED_RUNTIME, runtimeCompanions } from './targets/local.js';

export interface ExportedNotebook {
  spec: PipelineSpec;
  text: string;
}

export async function exportNotebookFile(path: string, request: Omit<ExportRequest, 'runtime'>, runtimeFile = BUNDLED_RUNTIME): Promise<ExportedNotebook> {
  const compiled = await compileNotebookFile(path);
  // Pods have the notebook's name, not this machine's path to it (the exported file may be shared).
  const spec = { ...compiled, notebook: basename(compiled.notebook) };
  return { spec, text: exportPipeline(spec, { ...request, runtime: await readExportRuntime(runtimeFile) }) };
}

/** ferry_runtime.py and its companions, under the names the run directory gives them. */
export async function readExportRuntime(runtimeFile = BUNDLED_RUNTIME): Promise<ExportedFile[]> {
  const files: ExportedFile[] = [{ name: RUNTIME_FILE, text: await readFile(runtimeFile, 'utf8') }];
  for (const companion of runtimeCompanions(runtimeFile)) files.push({ name: companion.name, text: await readFile(companion.path, 'utf8') });
  return files;
}
