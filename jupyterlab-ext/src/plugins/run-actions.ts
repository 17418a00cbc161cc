/** Cancel and re-run: run-level commands used by the side panel and the palette. */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { CommandIDs, runArgs } from '../commands.js';
import { textOf } from '../models/parameter-form.js';
import { askAndSubmit } from '../run-dialog.js';
import { IFerryClient, IRunsModel } from '../tokens.js';

export const runActionsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@ferry/jupyterlab:run-actions',
  description: 'Cancel and re-run Ferry runs (with the same or other parameters).',
  autoStart: true,
  requires: [IFerryClient, IRunsModel],
  activate: (app: JupyterFrontEnd, client: IFerryClient, runs: IRunsModel) => {
    app.commands.addCommand(CommandIDs.cancelRun, {
      label: 'Cancel Ferry Run',
      execute: async (args) => {
        const { runId } = runArgs(args);
        try {
          runs.upsert(await client.cancel(runId));
        } catch (error) {
          await showErrorMessage('Ferry: cannot cancel the run', (error as Error).message);
        }
      },
    });
    app.commands.addCommand(CommandIDs.rerun, {
      label: 'Re-run with the Same Parameters',
      execute: async (args) => {
        const { runId } = runArgs(args);
        try {
          const previous = await client.run(runId);
          const run = await client.submit({
            notebookPath: previous.notebookPath,
            target: previous.target,
            mode: previous.mode,
            parameters: previous.parameters,
          });
          runs.upsert(run);
          runs.select(run.id);
        } catch (error) {
          await showErrorMessage('Ferry: cannot re-run', (error as Error).message);
        }
      },
    });
    app.commands.addCommand(CommandIDs.rerunEdited, {
      label: 'Re-run with Other Parameters…',
      execute: async (args) => {
        const { runId } = runArgs(args);
        try {
          // The run's own spec: the parameters as they were compiled for it.
          const previous = await client.run(runId);
          const texts = Object.fromEntries(
            previous.spec.parameters.flatMap((p) => (Object.hasOwn(previous.parameters, p.name) ? [[p.name, textOf(previous.parameters[p.name]!)]] : [])),
          );
          await askAndSubmit({
            client,
            runs,
            spec: previous.spec,
            notebookPath: previous.notebookPath,
            targets: await client.targets(),
            initial: { target: previous.target, mode: previous.mode, texts, sweeps: {} },
            title: `Re-run ${previous.pipeline}`,
          });
        } catch (error) {
          await showErrorMessage('Ferry: cannot re-run', (error as Error).message);
        }
      },
    });
  },
};
