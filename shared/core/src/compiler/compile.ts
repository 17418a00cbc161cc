/**
 * Notebook → PipelineSpec. Pure and deterministic: the same notebook always
 * gives the same spec (byte for byte once serialized), and nothing here
 * needs Node, so IDE webviews can compile too.
 */

import { FerryError } from '../errors.js';
import type { Notebook } from '../notebook/notebook.js';
import { readNotebook } from '../notebook/read-notebook.js';
import { PYTHON_BUILTINS } from '../python/builtins.js';
import { analyzeCellDataFlow } from '../python/data-flow.js';
import { extractParameters } from '../python/parameters-cell.js';
import { findSyntaxError, parsePythonCell, type PythonCell } from '../python/python-cell.js';
import { SPEC_VERSION, type CellSource, type PipelineSpec, type Resources, type StepSpec } from '../spec.js';
import { baseName, pipelineName } from './file-names.js';
import { readMetricsCell } from './metrics-cell.js';
import { layOutNotebook, type StepDraft } from './notebook-layout.js';
import { chainCellFlows } from './step-flow.js';
import { resolveStepGraph, type GraphStep, type ResolvedStep } from './step-graph.js';

export interface CompileOptions {
  /** The notebook's file name or path, for the spec's name and error locations. */
  file?: string;
}

const DEFAULT_FILE = 'notebook.ipynb';
const RESOURCE_KEYS = ['gpus', 'cpus', 'memoryMiB', 'timeMinutes'] as const;

export function compileNotebookText(text: string, file: string): PipelineSpec {
  return compileNotebook(readNotebook(text, file), { file });
}

export function compileNotebook(notebook: Notebook, options: CompileOptions = {}): PipelineSpec {
  const file = options.file ?? DEFAULT_FILE;
  checkKernelLanguage(notebook, file);
  const layout = layOutNotebook(notebook, file);
  const pythonCells = [...layout.prelude, ...layout.metricsCells, ...layout.steps.flatMap((step) => step.cells)];
  if (layout.parametersCell !== undefined) pythonCells.push(layout.parametersCell);
  const python = parseCells(notebook, pythonCells, file);

  const parameters =
    layout.parametersCell === undefined
      ? []
      : extractParameters(python.get(layout.parametersCell)!, { file, cell: layout.parametersCell });

  const external = new Set(PYTHON_BUILTINS);
  for (const parameter of parameters) external.add(parameter.name);
  for (const cell of layout.prelude) for (const name of analyzeCellDataFlow(python.get(cell)!).defines) external.add(name);

  const graphSteps: GraphStep[] = layout.steps.map((step) => ({
    name: step.name,
    firstCell: step.cells[0] ?? 0,
    after: step.after,
    ...chainCellFlows(step.cells.map((cell) => ({ cell, flow: analyzeCellDataFlow(python.get(cell)!) }))),
  }));
  const metrics = layout.metricsCells.flatMap((cell) => readMetricsCell(python.get(cell)!, { file, cell }));
  const graph = resolveStepGraph(graphSteps, (name) => external.has(name), metrics, file);

  const sourceOf = (cell: number): CellSource => ({ cell, source: notebook.cells[cell]!.source });
  return {
    specVersion: SPEC_VERSION,
    name: pipelineName(file),
    notebook: baseName(file),
    prelude: layout.prelude.map(sourceOf),
    parameters,
    steps: graph.order.map((i) => stepSpec(layout.steps[i]!, graph.steps[i]!, sourceOf)),
  };
}

function stepSpec(draft: StepDraft, resolved: ResolvedStep, sourceOf: (cell: number) => CellSource): StepSpec {
  const resources: Resources = {};
  // fixed key order, whatever order the tags came in
  for (const key of RESOURCE_KEYS) if (draft.resources[key] !== undefined) resources[key] = draft.resources[key];
  const spec: StepSpec = {
    name: draft.name,
    cells: draft.cells.map(sourceOf),
    dependsOn: resolved.dependsOn,
    inputs: resolved.inputs,
    outputs: resolved.outputs,
    metrics: resolved.metrics,
    resources,
  };
  if (Object.keys(draft.labels).length > 0) spec.labels = draft.labels;
  if (Object.keys(draft.annotations).length > 0) spec.annotations = draft.annotations;
  return spec;
}

/** Parses each cell once; the first syntax error (in notebook order) stops compilation. */
function parseCells(notebook: Notebook, cells: number[], file: string): Map<number, PythonCell> {
  const parsed = new Map<number, PythonCell>();
  for (const index of [...cells].sort((a, b) => a - b)) {
    const cell = parsePythonCell(notebook.cells[index]!.source);
    const error = findSyntaxError(cell);
    if (error) {
      throw new FerryError('notebook', `Python syntax error: \`${error.lineText}\``, { file, cell: index, line: error.line });
    }
    parsed.set(index, cell);
  }
  return parsed;
}

/** A notebook for another kernel (R, Julia) would fail confusingly as Python, so say so at once. */
function checkKernelLanguage(notebook: Notebook, file: string): void {
  const kernelspec = notebook.metadata['kernelspec'];
  const languageInfo = notebook.metadata['language_info'];
  const fromKernel = isRecord(kernelspec) ? kernelspec['language'] : undefined;
  const fromInfo = isRecord(languageInfo) ? languageInfo['name'] : undefined;
  const language = typeof fromKernel === 'string' ? fromKernel : typeof fromInfo === 'string' ? fromInfo : undefined;
  if (language !== undefined && language.toLowerCase() !== 'python') {
    throw new FerryError('notebook', `Ferry runs Python notebooks, but this notebook's language is ${language}`, {
      file,
      field: typeof fromKernel === 'string' ? 'metadata.kernelspec.language' : 'metadata.language_info.name',
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
