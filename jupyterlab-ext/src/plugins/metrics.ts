/** Opens a run's live metric curves in the main area. */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { CommandIDs, runArgs } from '../commands.js';
import { MetricsHost } from '../hosts/metrics-host.js';
import { IFerryClient, IRunsModel } from '../tokens.js';
import { MetricsWidget } from '../widgets/ferry-views.js';

export const metricsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@ferry/jupyterlab:metrics',
  description: 'Live metric curves of Ferry runs.',
  autoStart: true,
  requires: [IFerryClient, IRunsModel],
  activate: (app: JupyterFrontEnd, client: IFerryClient, runs: IRunsModel) => {
    const tracker = new WidgetTracker<MainAreaWidget<MetricsWidget>>({ namespace: 'ferry-metrics' });
    app.commands.addCommand(CommandIDs.openMetrics, {
      label: 'Open Run Metrics',
      execute: async (args) => {
        const { runId } = runArgs(args);
        const open = tracker.find((widget) => widget.content.host.runId === runId);
        if (open) {
          app.shell.activateById(open.id);
          return;
        }
        const run = runs.get(runId);
        const label = run ? `${run.pipeline} ${runId.slice(-6)}` : runId;
        const content = new MetricsWidget(new MetricsHost(client, runId, label));
        const widget = new MainAreaWidget({ content });
        widget.id = content.id;
        widget.title.label = content.title.label;
        widget.title.caption = content.title.caption;
        await tracker.add(widget);
        app.shell.add(widget, 'main', { mode: 'split-right' });
        app.shell.activateById(widget.id);
      },
    });
  },
};
