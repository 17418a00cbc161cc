/**
 * Compare runs: an editor-area webview with @ferry/ui's compare view for a
 * set of runs, fed by a CompareSession (the table, the histories the view
 * asks for, live points). Comparing the same runs again reveals their panel;
 * a reloaded page starts over from a fresh table. A point clicked in a chart
 * opens its step's log, as the sidebar's step does.
 */
import * as vscode from 'vscode';
import { CompareSession, type CompareSource } from '../model/compare-session.js';
import { stepNodeId, type TreeNode } from '../model/run-tree.js';
import { SessionPanels } from './session-panels.js';

export class ComparePanels extends SessionPanels<CompareSource, CompareSession> {
  show(runIds: readonly string[], title: string): void {
    this.showPanel(
      runIds.join(' '),
      { kind: 'compare', viewType: 'ferry.compare', title },
      (source, post) => new CompareSession(source, runIds, post),
      (intent, session) => {
        if (intent.type === 'compare/history') void session?.history(intent);
        if (intent.type === 'compare/openLog') void openLog(intent.runId, intent.step);
      },
    );
  }
}

/** Through the sidebar's command: it finds the run (the compared runs come from the sidebar) and shows the log panel. */
function openLog(runId: string, step: string): Thenable<unknown> {
  const node: TreeNode = { kind: 'step', id: stepNodeId(runId, step), runId, step };
  return vscode.commands.executeCommand('ferry.openLog', node);
}
