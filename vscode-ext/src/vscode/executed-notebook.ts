/**
 * A step's executed notebook (notebook mode keeps it with the step's log,
 * with its outputs and plots). The server reads it from the run's target —
 * this machine, a Slurm cluster over SSH — so it opens for any run: fetched
 * into the extension's storage, then opened in the notebook editor.
 */
import * as vscode from 'vscode';
import { isFerryError, type FerryClient, type Run } from '@ferry/core';

/** Opens `step`'s executed notebook of `run`; a step without one (script mode, not ended) is told, not an error. */
export function executedNotebookOpener(client: () => Promise<FerryClient>, storage: vscode.Uri): (run: Run, step: string) => Promise<void> {
  return async (run, step) => {
    let notebook;
    try {
      notebook = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Ferry: fetching the executed notebook of ${step}` },
        async () => (await client()).executedNotebook(run.id, step),
      );
    } catch (error) {
      if (!isFerryError(error) || error.category !== 'not-found') throw error;
      void vscode.window.showInformationMessage(`Ferry: ${error.message}`);
      return;
    }
    // A copy per run and step: the title says which step, and reopening shows the latest.
    const folder = vscode.Uri.joinPath(storage, 'executed-notebooks', run.id);
    const file = vscode.Uri.joinPath(folder, `${step}.executed.ipynb`);
    await vscode.workspace.fs.createDirectory(folder);
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(notebook, null, 1) + '\n'));
    await vscode.commands.executeCommand('vscode.openWith', file, 'jupyter-notebook');
  };
}
