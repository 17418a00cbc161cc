/**
 * A step's executed notebook (notebook mode keeps it next to the step's log,
 * `<run dir>/steps/<step>/executed.ipynb`, with its outputs and plots). The
 * server does not serve run files, so it opens where the run directory is on
 * this machine (the local target); otherwise the user is told where it is.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Run } from '@ferry/core';

export function executedNotebookPath(run: Pick<Run, 'runDir'>, step: string): string {
  return join(run.runDir, 'steps', step, 'executed.ipynb');
}

export async function openExecutedNotebook(run: Run, step: string): Promise<void> {
  const path = executedNotebookPath(run, step);
  if (!existsSync(path)) {
    const where = existsSync(run.runDir) ? 'yet (the step has not started)' : `on this machine; it is on ${run.target} at ${path}`;
    void vscode.window.showInformationMessage(`Ferry: no executed notebook of ${step} ${where}.`);
    return;
  }
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path), 'jupyter-notebook');
}
