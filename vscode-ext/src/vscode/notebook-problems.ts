/**
 * Compiles open notebooks as they are edited (locally, with the core's
 * compiler) and shows what is wrong on the cell it is about: a diagnostic in
 * the cell and an item in its status bar. Run on cluster checks the same way
 * before anything is submitted.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { compileCells, type CompileProblem, type CompileResult } from '../model/notebook-snapshot.js';
import { editorCells, isJupyterNotebook, notebookMetadata } from './notebook-cells.js';

const RECHECK_DELAY_MS = 400;

export class NotebookProblems implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('ferry');
  private readonly problems = new Map<string, CompileProblem>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** The problems changed: cell status bars should be asked again. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.subscriptions.push(
      vscode.workspace.onDidOpenNotebookDocument((notebook) => this.schedule(notebook)),
      vscode.workspace.onDidChangeNotebookDocument((event) => this.schedule(event.notebook)),
      vscode.workspace.onDidCloseNotebookDocument((notebook) => this.forget(notebook)),
    );
    for (const notebook of vscode.workspace.notebookDocuments) this.schedule(notebook);
  }

  /** Compiles now, shows the outcome, and returns it. */
  check(notebook: vscode.NotebookDocument): CompileResult {
    const result = compileCells(editorCells(notebook), notebookMetadata(notebook), basename(notebook.uri.fsPath));
    this.show(notebook, result.ok ? undefined : result.problem);
    return result;
  }

  /** The problem on this cell, if the last compile put one there. */
  problemOn(cell: vscode.NotebookCell): CompileProblem | undefined {
    const problem = this.problems.get(cell.notebook.uri.toString());
    return problem?.cell === cell.index ? problem : undefined;
  }

  private schedule(notebook: vscode.NotebookDocument): void {
    if (!isJupyterNotebook(notebook)) return;
    const key = notebook.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!notebook.isClosed) this.check(notebook);
      }, RECHECK_DELAY_MS),
    );
  }

  private show(notebook: vscode.NotebookDocument, problem: CompileProblem | undefined): void {
    const key = notebook.uri.toString();
    for (const cell of notebook.getCells()) this.diagnostics.delete(cell.document.uri);
    if (problem) this.problems.set(key, problem);
    else this.problems.delete(key);
    if (problem) {
      // A problem without a cell (e.g. a dependency cycle) goes on the first code cell, so it is seen.
      const cell =
        problem.cell !== undefined && problem.cell < notebook.cellCount
          ? notebook.cellAt(problem.cell)
          : notebook.getCells().find((candidate) => candidate.kind === vscode.NotebookCellKind.Code);
      if (cell) {
        const line = Math.min(problem.line ?? 0, Math.max(0, cell.document.lineCount - 1));
        const range = cell.document.lineAt(line).range;
        const diagnostic = new vscode.Diagnostic(range, problem.message, vscode.DiagnosticSeverity.Error);
        diagnostic.source = 'Ferry';
        this.diagnostics.set(cell.document.uri, [diagnostic]);
      }
    }
    // Always: a tag edit changes the status bar even when the problem stays the same.
    this.changed.fire();
  }

  private forget(notebook: vscode.NotebookDocument): void {
    const key = notebook.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.problems.delete(key);
    for (const cell of notebook.getCells()) this.diagnostics.delete(cell.document.uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.diagnostics.dispose();
    this.changed.dispose();
  }
}
