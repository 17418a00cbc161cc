/**
 * Shows each code cell's step on the cell: a badge on the cell that names the
 * step, a coloured edge on every cell of it (one hue per step name), and the
 * role of parameters/imports/functions/metrics/skip cells.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { cellTagsOf } from '../notebook-tags.js';
import { cellSteps, stepHue } from '../models/cell-steps.js';

export const stepBadgesPlugin: JupyterFrontEndPlugin<void> = {
  id: '@ferry/jupyterlab:step-badges',
  description: 'Step badges and colours on notebook cells.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, notebooks: INotebookTracker) => {
    notebooks.widgetAdded.connect((_, panel) => watch(panel));
    notebooks.forEach(watch);
  },
};

function watch(panel: NotebookPanel): void {
  let frame = 0;
  const schedule = () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => paint(panel));
  };
  const connected = new WeakSet<object>();
  const connectCells = () => {
    for (const cell of panel.content.widgets) {
      if (connected.has(cell.model)) continue;
      connected.add(cell.model);
      cell.model.metadataChanged.connect(schedule);
    }
    schedule();
  };
  void panel.context.ready.then(() => {
    connectCells();
    panel.content.model?.cells.changed.connect(connectCells);
    // Windowed notebooks attach cells as they scroll into view: paint those too.
    panel.content.modelChanged.connect(connectCells);
    panel.content.cellInViewportChanged.connect(schedule);
  });
}

function paint(panel: NotebookPanel): void {
  if (panel.isDisposed) return;
  const widgets = panel.content.widgets;
  const infos = cellSteps(widgets.map((cell) => ({ type: cell.model.type, tags: cellTagsOf(cell.model) })));
  widgets.forEach((cell, index) => {
    const info = infos[index]!;
    const data = cell.node.dataset;
    if (info.step) {
      data.ferryStep = info.step;
      cell.node.style.setProperty('--ferry-step-hue', String(stepHue(info.step)));
    } else {
      delete data.ferryStep;
      cell.node.style.removeProperty('--ferry-step-hue');
    }
    if (info.starts) data.ferryStepStart = '';
    else delete data.ferryStepStart;
    if (info.role) data.ferryRole = info.role;
    else delete data.ferryRole;
  });
}
