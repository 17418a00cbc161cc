/** The sidebar's actions on runs, steps, sweeps and targets. */
import * as vscode from 'vscode';
import { formatError, isFerryError, type Run } from '@ferry/core';
import type { RunTreeModel, TreeNode } from '../model/run-tree.js';
import { submissionOf } from '../model/submission.js';
import type { LogPanel } from './log-panel.js';
import type { MetricsPanels } from './metrics-panel.js';
import { askWithParameterForm } from './parameter-form.js';
import { submitWithProgress } from './run-on-cluster.js';
import type { ServerConnection } from './server-connection.js';
import type { TargetChecks } from './target-checks.js';

export interface RunCommandDeps {
  extensionUri: vscode.Uri;
  connection: ServerConnection;
  model: RunTreeModel;
  logs: LogPanel;
  metrics: MetricsPanels;
  checks: TargetChecks;
  refresh(): void;
  reconnect(): void;
  reveal(run: Run): Promise<void>;
  /** Opens the executed notebook of a step (notebook mode). */
  openExecutedNotebook(run: Run, step: string): Promise<void>;
}

export function registerRunCommands(deps: RunCommandDeps): vscode.Disposable {
  const runOf = (node: TreeNode | undefined): Run | undefined =>
    node && 'runId' in node ? deps.model.run(node.runId) : undefined;
  /** One message for an action the user asked for; failures of runs themselves show in the tree. */
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
    vscode.commands.registerCommand('ferry.openMetrics', (node?: TreeNode) => {
      const run = runOf(node);
      if (run) deps.metrics.show(run);
    }),
    vscode.commands.registerCommand('ferry.openExecutedNotebook', async (node?: TreeNode) => {
      const run = runOf(node);
      if (!run || node?.kind !== 'step') return;
      try {
        await deps.openExecutedNotebook(run, node.step);
      } catch (error) {
        report(`opening the executed notebook of ${node.step} failed`, error);
      }
    }),
    vscode.commands.registerCommand('ferry.cancelRun', async (node?: TreeNode) => {
      try {
        const client = await deps.connection.client();
        if (node?.kind === 'sweep') {
          for (const run of (await client.cancelSweep(node.sweepId)).runs) deps.model.applyRun(run);
        } else {
          const run = runOf(node);
          if (!run) return;
          deps.model.applyRun(await client.cancel(run.id));
        }
        deps.refresh();
      } catch (error) {
        report('cancelling failed', error);
      }
    }),
    vscode.commands.registerCommand('ferry.rerun', async (node?: TreeNode) => {
      const run = runOf(node);
      if (!run) return;
      try {
        const client = await deps.connection.client();
        const submitted = await submitWithProgress(client, submissionOf({ notebookPath: run.notebookPath, target: run.target }, run.parameters, {}));
        await deps.reveal(submitted.runs[0]!);
      } catch (error) {
        report('re-running failed', error);
      }
    }),
    vscode.commands.registerCommand('ferry.rerunEdited', async (node?: TreeNode) => {
      const run = runOf(node);
      if (!run) return;
      try {
        const client = await deps.connection.client();
        // The notebook as it is now: its parameters may have changed since the run.
        const { spec } = await client.compile({ notebookPath: run.notebookPath });
        const known = Object.fromEntries(Object.entries(run.parameters).filter(([name]) => spec.parameters.some((p) => p.name === name)));
        const submitted = await askWithParameterForm(
          deps.extensionUri,
          { title: `Re-run ${run.pipeline} on ${run.target}`, pipeline: spec.name, parameters: spec.parameters, values: known, submitLabel: `Run on ${run.target}` },
          (values, sweep) => submitWithProgress(client, submissionOf({ notebookPath: run.notebookPath, target: run.target }, values, sweep)),
        );
        if (submitted) await deps.reveal(submitted.runs[0]!);
      } catch (error) {
        report('re-running failed', error);
      }
    }),
    vscode.commands.registerCommand('ferry.copyJobId', async (node?: TreeNode) => {
      const run = runOf(node);
      const step = node?.kind === 'step' ? run?.steps.find((candidate) => candidate.name === node.step) : undefined;
      if (!step?.jobId) return;
      await vscode.env.clipboard.writeText(step.jobId);
      vscode.window.setStatusBarMessage(`Copied job id ${step.jobId}`, 3000);
    }),
    vscode.commands.registerCommand('ferry.testTarget', async (node?: TreeNode) => {
      if (node?.kind !== 'target') return;
      await vscode.window.withProgress(
        { location: { viewId: 'ferry.runs' }, title: `Checking ${node.target}` },
        async () => {
          try {
            // The result shows on the target's row (healthy / check failed, with the first failure in its tooltip).
            await deps.checks.run(await deps.connection.client(), node.target);
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
