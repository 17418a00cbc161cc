/**
 * Opens a notebook-mode step's executed notebook (outputs and plots as the
 * step produced them, fetched from wherever the run ran) in JupyterLab. It is
 * saved as a copy under `ferry-runs/RUN/` in the server's root, since
 * JupyterLab opens documents from its contents.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { CommandIDs, runArgs } from '../commands.js';
import { IFerryClient } from '../tokens.js';

export const EXECUTED_DIR = 'ferry-runs';

export const executedNotebooksPlugin: JupyterFrontEndPlugin<void> = {
  id: '@ferry/jupyterlab:executed-notebooks',
  description: 'Open the executed notebook of a notebook-mode step.',
  autoStart: true,
  requires: [IFerryClient],
  activate: (app: JupyterFrontEnd, client: IFerryClient) => {
    const contents = app.serviceManager.contents;
    const ensureDirectory = async (path: string) => {
      try {
        await contents.get(path, { content: false });
      } catch {
        await contents.save(path, { type: 'directory' });
      }
    };
    app.commands.addCommand(CommandIDs.openExecutedNotebook, {
      label: (args) => (typeof args.step === 'string' ? `Open Executed Notebook of ${args.step}` : 'Open Executed Notebook'),
      execute: async (args) => {
        const { runId, step } = runArgs(args);
        if (!step) throw new Error('open-executed-notebook needs a step');
        try {
          const notebook = await client.executedNotebook(runId, step);
          await ensureDirectory(EXECUTED_DIR);
          await ensureDirectory(`${EXECUTED_DIR}/${runId}`);
          const path = `${EXECUTED_DIR}/${runId}/${step}.executed.ipynb`;
          await contents.save(path, { type: 'notebook', format: 'json', content: notebook });
          await app.commands.execute('docmanager:open', { path });
        } catch (error) {
          await showErrorMessage('Ferry: cannot open the executed notebook', (error as Error).message);
        }
      },
    });
  },
};
