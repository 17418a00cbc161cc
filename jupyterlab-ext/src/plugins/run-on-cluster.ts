/**
 * Run on cluster (notebook toolbar and palette): save, compile the notebook
 * as the editor holds it, show compile problems on their cells, ask for the
 * target and parameters, submit, and select the new run in the side panel.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { isFerryError, type FerryError, type JsonValue, type PipelineSpec, type StepMode } from '@ferry/core';
import { CommandIDs } from '../commands.js';
import { ferryIcon } from '../icons.js';
import { IFerryClient, IRunsModel } from '../tokens.js';
import { askAndSubmit } from '../run-dialog.js';

const PROBLEM_CLASS = 'jp-Ferry-problem';
const NOTEBOOK_PROBLEMS = ['notebook', 'tag', 'parameter', 'pipeline'];

export const runOnClusterPlugin: JupyterFrontEndPlugin<void> = {
  id: '@ferry/jupyterlab:run-on-cluster',
  description: 'Run on cluster: compile, pick a target and parameters, submit.',
  autoStart: true,
  requires: [IFerryClient, IRunsModel, INotebookTracker],
  optional: [ICommandPalette, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    client: IFerryClient,
    runs: IRunsModel,
    notebooks: INotebookTracker,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
  ) => {
    let defaults = { target: '', mode: 'script' as StepMode };
    if (settingRegistry) {
      void settingRegistry.load(runOnClusterPlugin.id).then((settings) => {
        const apply = () => {
          defaults = {
            target: settings.get('defaultTarget').composite as string,
            mode: settings.get('defaultMode').composite as StepMode,
          };
        };
        apply();
        settings.changed.connect(apply);
      });
    }

    const run = async (panel: NotebookPanel): Promise<void> => {
      await panel.context.ready;
      if (panel.context.model.dirty) await panel.context.save();
      const path = app.serviceManager.contents.localPath(panel.context.path);
      clearProblems(panel);
      let spec: PipelineSpec;
      try {
        spec = (await client.compile({ notebook: panel.context.model.toJSON() as JsonValue, fileName: PathExt.basename(path) })).spec;
      } catch (error) {
        // A problem in the notebook is shown on its cell; anything else is about reaching the server.
        const inNotebook = isFerryError(error) && NOTEBOOK_PROBLEMS.includes(error.category);
        if (inNotebook) markProblem(panel, error as FerryError);
        await showErrorMessage(inNotebook ? 'Ferry: the notebook does not compile' : 'Ferry: cannot compile', (error as Error).message);
        return;
      }
      try {
        const targets = await client.targets();
        const target = targets.some((t) => t.name === defaults.target) ? defaults.target : (targets[0]?.name ?? 'local');
        await askAndSubmit({ client, runs, spec, notebookPath: path, targets, initial: { target, mode: defaults.mode, texts: {}, sweeps: {} } });
      } catch (error) {
        await showErrorMessage('Ferry: cannot submit the run', (error as Error).message);
      }
    };

    app.commands.addCommand(CommandIDs.runOnCluster, {
      label: 'Run on Cluster',
      caption: 'Run this notebook as a pipeline with Ferry',
      icon: ferryIcon,
      isEnabled: () => notebooks.currentWidget !== null,
      execute: async () => {
        const panel = notebooks.currentWidget;
        if (panel) await run(panel);
      },
    });
    notebooks.currentChanged.connect(() => app.commands.notifyCommandChanged(CommandIDs.runOnCluster));
    palette?.addItem({ command: CommandIDs.runOnCluster, category: 'Ferry' });
  },
};

/** Marks the cell a compile error names and brings it into view. */
function markProblem(panel: NotebookPanel, error: FerryError): void {
  const index = error.location?.cell;
  if (index === undefined) return;
  const cell = panel.content.widgets[index];
  if (!cell) return;
  cell.addClass(PROBLEM_CLASS);
  cell.node.dataset.ferryProblem = error.message;
  cell.node.title = error.message;
  panel.content.activeCellIndex = index;
  void panel.content.scrollToItem(index);
}

function clearProblems(panel: NotebookPanel): void {
  for (const cell of panel.content.widgets) {
    if (!cell.hasClass(PROBLEM_CLASS)) continue;
    cell.removeClass(PROBLEM_CLASS);
    delete cell.node.dataset.ferryProblem;
    cell.node.removeAttribute('title');
  }
}
