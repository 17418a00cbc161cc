/**
 * Compare Runs: the runs selected in the side panel (Ctrl/Shift+click), or
 * the points of a sweep when one of its runs is selected alone, side by side
 * in the main area. From the panel's Compare button, a run's context menu or
 * the command palette; comparing the same runs again brings their tab forward.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, showErrorMessage, WidgetTracker } from '@jupyterlab/apputils';
import { CommandIDs, runIdsArg } from '../commands.js';
import { CompareHost } from '../hosts/compare-host.js';
import { compareTitle, runsToCompare } from '../models/compare-selection.js';
import { IFerryClient, IRunsModel } from '../tokens.js';
import { CompareWidget } from '../widgets/ferry-views.js';

export const comparePlugin: JupyterFrontEndPlugin<void> = {
  id: '@ferry/jupyterlab:compare',
  description: 'Compare Ferry runs: parameters, metrics and curves side by side.',
  autoStart: true,
  requires: [IFerryClient, IRunsModel],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, client: IFerryClient, runs: IRunsModel, palette: ICommandPalette | null) => {
    const tracker = new WidgetTracker<MainAreaWidget<CompareWidget>>({ namespace: 'ferry-compare' });
    const chosen = (args: Record<string, unknown>) =>
      runIdsArg(args) ?? runsToCompare(runs, typeof args.runId === 'string' ? args.runId : undefined);

    app.commands.addCommand(CommandIDs.compareRuns, {
      label: 'Compare Runs',
      caption: 'Compare the selected runs (Ctrl/Shift+click in the Ferry panel), or the runs of the selected run’s sweep',
      isEnabled: (args) => chosen(args).length >= 2,
      execute: async (args) => {
        const ids = chosen(args);
        if (ids.length < 2) {
          await showErrorMessage('Ferry: nothing to compare', 'Select two or more runs in the Ferry panel (Ctrl/Shift+click), or a run of a sweep.');
          return;
        }
        // The same runs, however they were picked (a sweep's order, the panel's order), share one tab.
        const key = sameRuns(ids);
        const open = tracker.find((widget) => sameRuns(widget.content.host.runIds) === key);
        if (open) {
          app.shell.activateById(open.id);
          return;
        }
        const content = new CompareWidget(new CompareHost(client, ids, (runId, step) => void app.commands.execute(CommandIDs.openLog, { runId, step })), compareTitle(ids, (id) => runs.get(id)));
        const widget = new MainAreaWidget({ content });
        widget.id = content.id;
        widget.title.label = content.title.label;
        widget.title.caption = content.title.caption;
        await tracker.add(widget);
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
      },
    });
    // A right-click selects the run under it first (the side panel does that), so the command sees the selection.
    app.contextMenu.addItem({ command: CommandIDs.compareRuns, selector: '.jp-FerryRun', rank: 10 });
    palette?.addItem({ command: CommandIDs.compareRuns, category: 'Ferry' });
  },
};

const sameRuns = (ids: readonly string[]) => [...ids].sort().join(' ');
