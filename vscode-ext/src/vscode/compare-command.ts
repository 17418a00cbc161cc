/**
 * "Compare Runs": from the sidebar's context menu on several selected runs
 * (or on a sweep: its points), or from the command palette with the
 * sidebar's selection; with fewer than two runs chosen it asks which.
 */
import * as vscode from 'vscode';
import { runIdsOf } from '../model/compare-session.js';
import { shortId, type RunTreeModel, type TreeNode } from '../model/run-tree.js';
import type { ComparePanels } from './compare-panel.js';

export interface CompareCommandDeps {
  model: RunTreeModel;
  compare: ComparePanels;
  /** What is selected in the sidebar now. */
  selection(): readonly TreeNode[];
}

export function registerCompareCommand(deps: CompareCommandDeps): vscode.Disposable {
  // VS Code passes the clicked item and, with several selected, all of them.
  return vscode.commands.registerCommand('ferry.compareRuns', async (clicked?: TreeNode, selected?: readonly TreeNode[]) => {
    const nodes = selected?.length ? selected : clicked ? [clicked] : deps.selection();
    let ids = runIdsOf(nodes, (sweepId) => deps.model.pointsOf(sweepId));
    if (ids.length < 2) ids = await pickRuns(deps.model, ids);
    if (ids.length < 2) return;
    const first = deps.model.run(ids[0]!);
    deps.compare.show(ids, `Compare ${ids.length} runs${first ? ` of ${first.pipeline}` : ''}`);
  });
}

async function pickRuns(model: RunTreeModel, chosen: readonly string[]): Promise<string[]> {
  const runs = model.allRuns();
  if (runs.length < 2) {
    void vscode.window.showInformationMessage('Ferry: comparing needs at least two runs.');
    return [];
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({
      label: `${run.pipeline} ${shortId(run.id)}`,
      description: `${run.target} · ${run.state}`,
      detail: Object.entries(run.parameters)
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(', '),
      picked: chosen.includes(run.id),
      id: run.id,
    })),
    { canPickMany: true, title: 'Compare runs', placeHolder: 'Choose two or more runs' },
  );
  return picked?.map((item) => item.id) ?? [];
}
