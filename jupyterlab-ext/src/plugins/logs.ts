/** Opens a step's live log in the main area (one per step; opening it again brings it forward). */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { CommandIDs, runArgs } from '../commands.js';
import { LogHost } from '../hosts/log-host.js';
import { IFerryClient } from '../tokens.js';
import { LogWidget } from '../widgets/ferry-views.js';

export const logsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@ferry/jupyterlab:logs',
  description: 'Live step logs of Ferry runs.',
  autoStart: true,
  requires: [IFerryClient],
  activate: (app: JupyterFrontEnd, client: IFerryClient) => {
    const tracker = new WidgetTracker<MainAreaWidget<LogWidget>>({ namespace: 'ferry-logs' });
    app.commands.addCommand(CommandIDs.openLog, {
      label: (args) => (typeof args.step === 'string' ? `Open Log of ${args.step}` : 'Open Step Log'),
      execute: async (args) => {
        const { runId, step } = runArgs(args);
        if (!step) throw new Error('open-log needs a step');
        const open = tracker.find((widget) => widget.content.host.runId === runId && widget.content.host.step === step);
        if (open) {
          app.shell.activateById(open.id);
          return;
        }
        const content = new LogWidget(new LogHost(client, runId, step));
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
