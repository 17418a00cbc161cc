/** Each tagged cell's step and role in its status bar, and the compile problem on it, if any. */
import * as vscode from 'vscode';
import { summarizeCellTags } from '../model/cell-tags.js';
import { cellTags } from './notebook-cells.js';
import type { NotebookProblems } from './notebook-problems.js';

export class CellTagStatusBar implements vscode.NotebookCellStatusBarItemProvider {
  readonly onDidChangeCellStatusBarItems: vscode.Event<void>;

  constructor(private readonly problems: NotebookProblems) {
    this.onDidChangeCellStatusBarItems = problems.onDidChange;
  }

  provideCellStatusBarItems(cell: vscode.NotebookCell): vscode.NotebookCellStatusBarItem[] {
    if (cell.kind !== vscode.NotebookCellKind.Code) return [];
    const items: vscode.NotebookCellStatusBarItem[] = [];
    const tags = cellTags(cell);
    const summary = summarizeCellTags(tags);
    if (summary) {
      const item = new vscode.NotebookCellStatusBarItem(
        `$(${summary.problem ? 'warning' : 'layers'}) ${summary.text}`,
        vscode.NotebookCellStatusBarAlignment.Left,
      );
      item.tooltip = `Ferry tags: ${tags.join(', ')}${summary.problem ? `\n${summary.problem}` : ''}\nClick to change.`;
      item.command = { command: 'ferry.setPipelineStep', title: 'Set Pipeline Step…', arguments: [cell] };
      item.accessibilityInformation = { label: `Ferry: ${summary.text}` };
      items.push(item);
    }
    const problem = this.problems.problemOn(cell);
    if (problem && !summary?.problem) {
      const text = problem.message.length > 80 ? `${problem.message.slice(0, 77)}…` : problem.message;
      const item = new vscode.NotebookCellStatusBarItem(`$(error) ${text}`, vscode.NotebookCellStatusBarAlignment.Left);
      item.tooltip = problem.message;
      items.push(item);
    }
    return items;
  }
}
