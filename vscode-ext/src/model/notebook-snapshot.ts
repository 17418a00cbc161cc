/**
 * The notebook as the editor holds it (saved or not), in the core's model, so
 * it compiles here without a round trip; and compile problems mapped back to
 * the cells they are about.
 */
import { compileNotebook, FerryError, type JsonValue, type Notebook, type PipelineSpec } from '@ferry/core';

export interface EditorCell {
  kind: 'code' | 'markdown';
  source: string;
  tags: readonly string[];
}

export function toNotebook(cells: readonly EditorCell[], metadata: { [key: string]: JsonValue }): Notebook {
  return {
    nbformat: 4,
    nbformatMinor: 5,
    metadata,
    cells: cells.map((cell, index) => ({ index, cellType: cell.kind, source: cell.source, tags: [...cell.tags] })),
  };
}

/** A compile problem, placed on a cell when the error says which. */
export interface CompileProblem {
  message: string;
  /** Index among the notebook's cells (markdown included), as VS Code counts them too. */
  cell?: number;
  /** 0-based line in the cell. */
  line?: number;
}

export type CompileResult = { ok: true; spec: PipelineSpec } | { ok: false; problem: CompileProblem };

export function compileCells(cells: readonly EditorCell[], metadata: { [key: string]: JsonValue }, file: string): CompileResult {
  try {
    return { ok: true, spec: compileNotebook(toNotebook(cells, metadata), { file }) };
  } catch (error) {
    if (!(error instanceof FerryError)) throw error;
    return { ok: false, problem: problemOf(error) };
  }
}

export function problemOf(error: FerryError): CompileProblem {
  const problem: CompileProblem = { message: error.message };
  const location = error.location;
  if (location?.cell !== undefined) problem.cell = location.cell;
  if (location?.line !== undefined) problem.line = Math.max(0, location.line - 1);
  return problem;
}
