/** The left side panel of runs and steps; it comes forward when a run is selected elsewhere. */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { CommandIDs } from '../commands.js';
import { IRunsModel } from '../tokens.js';
import { ferryIcon } from '../icons.js';
import { RunsPanel } from '../widgets/runs-panel.js';

export const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: '@ferry/jupyterlab:panel',
  description: 'The Ferry runs side panel.',
  autoStart: true,
  requires: [IRunsModel],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (app: JupyterFrontEnd, runs: IRunsModel, restorer: ILayoutRestorer | null, palette: ICommandPalette | null) => {
    const panel = new RunsPanel(runs, app.commands);
    panel.title.icon = ferryIcon;
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, panel.id);
    runs.selectionChanged.connect((_, id) => {
      if (id !== undefined) app.shell.activateById(panel.id);
    });
    app.commands.addCommand(CommandIDs.showRuns, {
      label: 'Show Ferry Runs',
      execute: () => app.shell.activateById(panel.id),
    });
    palette?.addItem({ command: CommandIDs.showRuns, category: 'Ferry' });
  },
};
