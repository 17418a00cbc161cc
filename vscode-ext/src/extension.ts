/** Ferry for VS Code: the composition root. Every part is a disposable owned by the extension's context. */
import * as vscode from 'vscode';
import type { Run } from '@ferry/core';
import { RunTreeModel, runNodeId } from './model/run-tree.js';
import { registerCellTagCommands } from './vscode/cell-tag-commands.js';
import { CellTagStatusBar } from './vscode/cell-status-bar.js';
import { registerCompareCommand } from './vscode/compare-command.js';
import { ComparePanels } from './vscode/compare-panel.js';
import { executedNotebookOpener } from './vscode/executed-notebook.js';
import { LogPanel } from './vscode/log-panel.js';
import { MetricsPanels } from './vscode/metrics-panel.js';
import { NotebookProblems } from './vscode/notebook-problems.js';
import { registerRunCommands } from './vscode/run-commands.js';
import { RunEventFeed } from './vscode/run-event-feed.js';
import { runOnCluster } from './vscode/run-on-cluster.js';
import { RunsTreeProvider } from './vscode/runs-tree.js';
import { ServerConnection } from './vscode/server-connection.js';
import { SshPrompts } from './vscode/ssh-prompts.js';
import { TargetChecks } from './vscode/target-checks.js';

const REVEAL_WAIT_MS = 5000;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Ferry', { log: true });
  const connection = new ServerConnection(log);
  const model = new RunTreeModel();
  const tree = new RunsTreeProvider(model);
  const view = vscode.window.createTreeView('ferry.runs', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const feed = new RunEventFeed(connection, model, () => tree.refresh(), log);
  const prompts = new SshPrompts(connection, context.secrets, log);
  const checks = new TargetChecks(context.globalState, model);
  const problems = new NotebookProblems();
  const logs = new LogPanel(context.extensionUri, () => connection.client());
  const metrics = new MetricsPanels(context.extensionUri, () => connection.client());
  const compare = new ComparePanels(context.extensionUri, () => connection.client());

  /** Selects a run in the sidebar, waiting briefly for its first event if the tree does not have it yet. */
  const reveal = async (run: Run): Promise<void> => {
    if (!model.run(run.id)) {
      model.applyRun(run);
      tree.refresh();
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the coalesced refresh land
    await view.reveal({ kind: 'run', id: runNodeId(run.id), runId: run.id }, { select: true, focus: false, expand: true }).then(
      undefined,
      () => setTimeout(() => void view.reveal({ kind: 'run', id: runNodeId(run.id), runId: run.id }, { select: true, expand: true }), REVEAL_WAIT_MS),
    );
  };

  context.subscriptions.push(
    log,
    tree,
    view,
    feed,
    prompts,
    problems,
    logs,
    metrics,
    compare,
    vscode.notebooks.registerNotebookCellStatusBarItemProvider('jupyter-notebook', new CellTagStatusBar(problems)),
    registerCellTagCommands(),
    registerCompareCommand({ model, compare, selection: () => view.selection }),
    registerRunCommands({
      extensionUri: context.extensionUri,
      connection,
      model,
      logs,
      metrics,
      checks,
      refresh: () => tree.refresh(),
      reconnect: () => feed.reconnect(),
      reveal,
      openExecutedNotebook: executedNotebookOpener(() => connection.client(), context.globalStorageUri),
    }),
    vscode.commands.registerCommand('ferry.runOnCluster', async (argument?: unknown) => {
      try {
        await runOnCluster({ extensionUri: context.extensionUri, connection, problems, checks, reveal }, argument);
      } catch (error) {
        void vscode.window.showErrorMessage(`Ferry: ${(error as Error).message}`);
      }
    }),
  );
  feed.start();
  prompts.start();
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
