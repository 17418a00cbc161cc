/**
 * Reading and writing Jupyter cell metadata through VS Code's built-in ipynb
 * serializer, which keeps a cell's nbformat metadata under `metadata` (older
 * releases: `custom.metadata`) and writes it back to the file unchanged.
 */
import * as vscode from 'vscode';
import type { JsonValue } from '@ferry/core';
import type { EditorCell } from '../model/notebook-snapshot.js';

type CellMetadata = { [key: string]: unknown };

function jupyterMetadata(cell: vscode.NotebookCell): CellMetadata {
  const metadata = cell.metadata as CellMetadata;
  const custom = metadata.custom as CellMetadata | undefined;
  return ((metadata.metadata ?? custom?.metadata) as CellMetadata | undefined) ?? {};
}

export function cellTags(cell: vscode.NotebookCell): string[] {
  const tags = jupyterMetadata(cell).tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** A NotebookEdit that sets the cell's `metadata.tags` (removing the key when empty, as Jupyter does). */
export function setTagsEdit(cell: vscode.NotebookCell, tags: readonly string[]): vscode.NotebookEdit {
  const metadata = { ...(cell.metadata as CellMetadata) };
  const useCustom = metadata.metadata === undefined && metadata.custom !== undefined;
  const jupyter = { ...jupyterMetadata(cell) };
  if (tags.length) jupyter.tags = [...tags];
  else delete jupyter.tags;
  if (useCustom) metadata.custom = { ...(metadata.custom as CellMetadata), metadata: jupyter };
  else metadata.metadata = jupyter;
  return vscode.NotebookEdit.updateCellMetadata(cell.index, metadata);
}

export function isJupyterNotebook(notebook: vscode.NotebookDocument): boolean {
  return notebook.notebookType === 'jupyter-notebook';
}

export function editorCells(notebook: vscode.NotebookDocument): EditorCell[] {
  return notebook.getCells().map((cell) => ({
    kind: cell.kind === vscode.NotebookCellKind.Code ? 'code' : 'markdown',
    source: cell.document.getText(),
    tags: cellTags(cell),
  }));
}

/** The notebook-level nbformat metadata (kernelspec, language_info). */
export function notebookMetadata(notebook: vscode.NotebookDocument): { [key: string]: JsonValue } {
  const metadata = notebook.metadata as { [key: string]: unknown };
  const inner = (metadata.metadata ?? (metadata.custom as CellMetadata | undefined)?.metadata) as
    | { [key: string]: JsonValue }
    | undefined;
  return inner ?? {};
}

/** The cell a cell-toolbar command was invoked on, else the selected cell of the active notebook. */
export function targetCell(argument: unknown): vscode.NotebookCell | undefined {
  if (argument && typeof argument === 'object' && 'notebook' in argument && 'document' in argument) {
    return argument as vscode.NotebookCell;
  }
  const editor = vscode.window.activeNotebookEditor;
  if (!editor) return undefined;
  const index = editor.selection.start;
  return index < editor.notebook.cellCount ? editor.notebook.cellAt(index) : undefined;
}
