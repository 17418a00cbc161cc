/** Lists Ferry runs that are still going in JupyterLab's own Running panel. */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IRunningSessionManagers, type IRunningSessions } from '@jupyterlab/running';
import { isFinalRunState, type Run } from '@ferry/core';
import { Signal } from '@lumino/signaling';
import { CommandIDs } from '../commands.js';
import { ferryIcon } from '../icons.js';
import { IRunsModel } from '../tokens.js';

export const runningPlugin: JupyterFrontEndPlugin<void> = {
  id: '@ferry/jupyterlab:running',
  description: 'Ferry runs in the Running panel.',
  autoStart: true,
  requires: [IRunsModel, IRunningSessionManagers],
  activate: (app: JupyterFrontEnd, runs: IRunsModel, managers: IRunningSessionManagers) => {
    const changed = new Signal<IRunsModel, void>(runs);
    runs.changed.connect(() => changed.emit());
    const item = (run: Run): IRunningSessions.IRunningItem => ({
      icon: () => ferryIcon,
      label: () => `${run.pipeline} (${run.state})`,
      labelTitle: () => `${run.id} on ${run.target}`,
      detail: () => run.target,
      open: () => runs.select(run.id),
      shutdown: () => void app.commands.execute(CommandIDs.cancelRun, { runId: run.id }),
    });
    const active = () => runs.runs.filter((run) => !isFinalRunState(run.state));
    managers.add({
      name: 'Ferry runs',
      running: () => active().map(item),
      refreshRunning: () => undefined, // kept live by the event stream
      runningChanged: changed,
      shutdownAll: () => {
        for (const run of active()) void app.commands.execute(CommandIDs.cancelRun, { runId: run.id });
      },
      shutdownLabel: 'Cancel run',
      shutdownAllLabel: 'Cancel all',
      shutdownAllConfirmationText: 'Cancel every Ferry run that is still going?',
    });
  },
};
