/**
 * Run on cluster: save the notebook, check that it compiles (problems go on
 * the cells, nothing is submitted), pick a target, enter the parameters,
 * submit with progress, and reveal the new run in the sidebar.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { formatError, isFerryError, type FerryClient, type JsonValue, type ParameterSpec, type RunWithSpec } from '@ferry/core';
import { changedParameterStrings, checkParameterText, parameterPrompt, valueText } from '../model/parameters.js';
import { timeAgo } from '../model/run-tree.js';
import { isJupyterNotebook } from './notebook-cells.js';
import type { NotebookProblems } from './notebook-problems.js';
import type { ServerConnection } from './server-connection.js';
import type { TargetChecks } from './target-checks.js';

export interface RunOnClusterDeps {
  connection: ServerConnection;
  problems: NotebookProblems;
  checks: TargetChecks;
  /** Shows the run in the sidebar once the tree has it. */
  reveal(run: RunWithSpec): Promise<void>;
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
  const texts = await askParameters(compiled.spec.parameters, basename(notebook.uri.fsPath));
  if (!texts) return;
  if (notebook.isDirty) await notebook.save();
  const run = await submitWithProgress(client, {
    notebookPath: notebook.uri.fsPath,
    target,
    parameterStrings: changedParameterStrings(compiled.spec.parameters, texts),
  });
  if (run) await deps.reveal(run);
}

export async function submitWithProgress(
  client: FerryClient,
  request: { notebookPath: string; target: string; parameterStrings?: Record<string, string>; parameters?: Record<string, JsonValue> },
): Promise<RunWithSpec | undefined> {
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Ferry: staging and submitting to ${request.target}…` },
      () => client.submit(request),
    );
  } catch (error) {
    const message = isFerryError(error) ? formatError(error) : (error as Error).message;
    void vscode.window.showErrorMessage(`Ferry: the run was not submitted: ${message}`);
    return undefined;
  }
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

/** One input box per parameter, checked against its type as it is typed; undefined when the user cancels. */
export async function askParameters(
  parameters: readonly ParameterSpec[],
  notebookName: string,
  values: Readonly<Record<string, JsonValue>> = {},
): Promise<Record<string, string> | undefined> {
  const texts: Record<string, string> = {};
  for (const [index, parameter] of parameters.entries()) {
    const start = Object.hasOwn(values, parameter.name) ? values[parameter.name]! : parameter.default;
    const text = await vscode.window.showInputBox({
      title: `${notebookName}: ${parameter.name}`,
      prompt: parameterPrompt(parameter, index, parameters.length),
      value: valueText(parameter, start),
      ignoreFocusOut: true,
      validateInput: (typed) => checkParameterText(parameter, typed),
    });
    if (text === undefined) return undefined;
    Object.defineProperty(texts, parameter.name, { value: text, enumerable: true, writable: true, configurable: true });
  }
  return texts;
}
