/**
 * Run on cluster: save the notebook, check that it compiles (problems go on
 * the cells, nothing is submitted), pick a target, fill the parameter form (several values of a parameter make a sweep),
 * submit with progress, and reveal the new run in the sidebar.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { FerryClient, Run } from '@ferry/core';
import { submissionOf, type Submission } from '../model/submission.js';
import { timeAgo } from '../model/run-tree.js';
import { isJupyterNotebook } from './notebook-cells.js';
import type { NotebookProblems } from './notebook-problems.js';
import { askWithParameterForm } from './parameter-form.js';
import type { ServerConnection } from './server-connection.js';
import type { TargetChecks } from './target-checks.js';

export interface RunOnClusterDeps {
  extensionUri: vscode.Uri;
  connection: ServerConnection;
  problems: NotebookProblems;
  checks: TargetChecks;
  /** Shows the run in the sidebar once the tree has it. */
  reveal(run: Run): Promise<void>;
}

interface TargetItem extends vscode.QuickPickItem {
  target: string;
}

const CHECK_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('pulse'), tooltip: 'Check this target now' };

export async function runOnCluster(deps: RunOnClusterDeps, argument?: unknown): Promise<void> {
  const notebook = notebookOf(argument);
  if (!notebook) {
    void vscode.window.showInformationMessage('Open a Jupyter notebook to run it on a cluster.');
    return;
  }
  if (notebook.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Ferry runs notebooks saved on this machine; save this notebook to a file first.');
    return;
  }
  const compiled = deps.problems.check(notebook);
  if (!compiled.ok) {
    const where = compiled.problem.cell !== undefined ? ` (cell ${compiled.problem.cell + 1})` : '';
    void vscode.window.showErrorMessage(`Ferry: the notebook does not compile${where}: ${compiled.problem.message}`);
    return;
  }
  const client = await deps.connection.client();
  const target = await pickTarget(client, deps.checks);
  if (!target) return;
  const name = basename(notebook.uri.fsPath);
  const submitted = await askWithParameterForm(
    deps.extensionUri,
    { title: `Run ${name} on ${target}`, pipeline: compiled.spec.name, parameters: compiled.spec.parameters, submitLabel: `Run on ${target}` },
    async (values, sweep) => {
      if (notebook.isDirty) await notebook.save();
      return submitWithProgress(client, submissionOf({ notebookPath: notebook.uri.fsPath, target }, values, sweep));
    },
  );
  if (submitted) await deps.reveal(submitted.runs[0]!);
}

/** What a submission started: one run, or the points of a sweep (in index order). */
export interface Submitted {
  runs: Run[];
  sweepId?: string;
}

/** Stages and submits with a progress notification; throws the server's refusal for the caller to show. */
export async function submitWithProgress(client: FerryClient, submission: Submission): Promise<Submitted> {
  const target = submission.request.target ?? 'local';
  const title = submission.kind === 'sweep' ? `Ferry: staging and submitting ${submission.runCount} runs to ${target}…` : `Ferry: staging and submitting to ${target}…`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, async () => {
    if (submission.kind === 'run') return { runs: [await client.submit(submission.request)] };
    const { sweep, runs } = await client.submitSweep(submission.request);
    return { runs, sweepId: sweep.id };
  });
}

function notebookOf(argument: unknown): vscode.NotebookDocument | undefined {
  // The notebook toolbar passes { notebookEditor: { notebookUri } }; the palette passes nothing.
  const uri = (argument as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined)?.notebookEditor?.notebookUri;
  const notebook = uri
    ? vscode.workspace.notebookDocuments.find((candidate) => candidate.uri.toString() === uri.toString())
    : vscode.window.activeNotebookEditor?.notebook;
  return notebook && isJupyterNotebook(notebook) ? notebook : undefined;
}

async function pickTarget(client: FerryClient, checks: TargetChecks): Promise<string | undefined> {
  const targets = await client.targets();
  const quickPick = vscode.window.createQuickPick<TargetItem>();
  quickPick.title = 'Run on cluster: target';
  quickPick.placeholder = 'Where should the pipeline run?';
  const render = () => {
    quickPick.items = targets.map((target) => {
      const check = checks.get(target.name);
      return {
        target: target.name,
        label: `${check ? (check.ok ? '$(pass)' : '$(warning)') : '$(circle-outline)'} ${target.name}`,
        description: target.description,
        detail: check ? `${check.ok ? 'healthy' : 'check failed'} ${timeAgo(check.at, new Date())}: ${check.summary}` : 'not checked yet',
        buttons: [CHECK_BUTTON],
      };
    });
  };
  render();
  return new Promise<string | undefined>((resolve) => {
    quickPick.onDidTriggerItemButton(async ({ item }) => {
      quickPick.busy = true;
      try {
        await checks.run(client, item.target);
      } catch (error) {
        void vscode.window.showErrorMessage(`Ferry: checking ${item.target} failed: ${(error as Error).message}`);
      }
      quickPick.busy = false;
      render();
    });
    quickPick.onDidAccept(() => {
      resolve(quickPick.selectedItems[0]?.target);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      resolve(undefined);
      quickPick.dispose();
    });
    quickPick.show();
  });
}
