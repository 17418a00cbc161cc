/** The sidebar's actions on runs, steps and targets. */
import * as vscode from 'vscode';
import { formatError, isFerryError, type Run } from '@ferry/core';
import { changedParameterStrings } from '../model/parameters.js';
import type { RunTreeModel, TreeNode } from '../model/run-tree.js';
import type { LogPanel } from './log-panel.js';
import { askParameters, submitWithProgress } from './run-on-cluster.js';
import type { ServerConnection } from './server-connection.js';
import type { TargetChecks } from './target-checks.js';

export interface RunCommandDeps {
  connection: ServerConnection;
  model: RunTreeModel;
  logs: LogPanel;
  checks: TargetChecks;
  refresh(): void;
  reconnect(): void;
  reveal(run: Run): Promise<void>;
}

export function registerRunCommands(deps: RunCommandDeps): vscode.Disposable {
  const runOf = (node: TreeNode | undefined): Run | undefined =>
    node && 'runId' in node ? deps.model.run(node.runId) : undefined;
  const report = (what: string, error: unknown) => {
    const message = isFerryError(error) ? formatError(error) : (error as Error).message;
    void vscode.window.showErrorMessage(`Ferry: ${what}: ${message}`);
  };

  const commands = [
    vscode.commands.registerCommand('ferry.refresh', () => deps.reconnect()),
    vscode.commands.registerCommand('ferry.openLog', (node?: TreeNode) => {
      const run = runOf(node);
      if (run && node?.kind === 'step') deps.logs.show(run, node.step);
    }),
    vscode.commands.registerCommand('ferry.cancelRun', async (node?: TreeNode) => {
      const run = runOf(node);
      if (!run) return;
      try {
        deps.model.applyRun(await (await deps.connection.client()).cancel(run.id));
        deps.refresh();
      } catch (error) {
        report(`cancelling ${run.id} failed`, error);
      }
    }),
    vscode.commands.registerCommand('ferry.rerun', async (node?: TreeNode) => {
      const run = runOf(node);
      if (!run) return;
      const client = await deps.connection.client();
      const next = await submitWithProgress(client, { notebookPath: run.notebookPath, target: run.target, parameters: run.parameters });
      if (next) await deps.reveal(next);
    }),
    vscode.commands.registerCommand('ferry.rerunEdited', async (node?: TreeNode) => {
      const run = runOf(node);
      if (!run) return;
      try {
        const client = await deps.connection.client();
        // The notebook as it is now: its parameters may have changed since the run.
        const { spec } = await client.compile({ notebookPath: run.notebookPath });
        const known = Object.fromEntries(Object.entries(run.parameters).filter(([name]) => spec.parameters.some((p) => p.name === name)));
        const texts = await askParameters(spec.parameters, run.pipeline, known);
        if (!texts) return;
        const next = await submitWithProgress(client, {
          notebookPath: run.notebookPath,
          target: run.target,
          parameterStrings: changedParameterStrings(spec.parameters, texts),
        });
        if (next) await deps.reveal(next);
      } catch (error) {
        report('re-running failed', error);
      }
    }),
    vscode.commands.registerCommand('ferry.copyJobId', async (node?: TreeNode) => {
      const run = runOf(node);
      const step = node?.kind === 'step' ? run?.steps.find((candidate) => candidate.name === node.step) : undefined;
      if (step?.jobId) await vscode.env.clipboard.writeText(step.jobId);
    }),
    vscode.commands.registerCommand('ferry.testTarget', async (node?: TreeNode) => {
      if (node?.kind !== 'target') return;
      await vscode.window.withProgress(
        { location: { viewId: 'ferry.runs' }, title: `Checking ${node.target}` },
        async () => {
          try {
            const record = await deps.checks.run(await deps.connection.client(), node.target);
            if (!record.ok) void vscode.window.showWarningMessage(`Ferry: ${node.target}: ${record.summary}`);
          } catch (error) {
            report(`checking ${node.target} failed`, error);
          }
          deps.refresh();
        },
      );
    }),
  ];
  return vscode.Disposable.from(...commands);
}
