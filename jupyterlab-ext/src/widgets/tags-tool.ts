/**
 * The Ferry section of the property inspector: what the active cell is in the
 * pipeline (its step, or its role; dependencies; resources) and a button that
 * opens the tag editor.
 */
import { NotebookTools } from '@jupyterlab/notebook';
import type { CommandRegistry } from '@lumino/commands';
import { CommandIDs } from '../commands.js';
import { cellSteps } from '../models/cell-steps.js';
import { readTagFields } from '../models/cell-tag-fields.js';
import { cellTagsOf } from '../notebook-tags.js';

export class PipelineTagsTool extends NotebookTools.Tool {
  private readonly summary: HTMLDivElement;

  constructor(commands: CommandRegistry) {
    super();
    this.addClass('jp-FerryTagsTool');
    this.summary = document.createElement('div');
    this.summary.className = 'jp-FerryTagsTool-summary';
    const edit = document.createElement('button');
    edit.className = 'jp-FerryButton jp-FerryTagsTool-edit';
    edit.textContent = 'Edit pipeline tags…';
    edit.addEventListener('click', () => void commands.execute(CommandIDs.editCellTags));
    this.node.append(this.summary, edit);
  }

  protected override onAfterShow(): void {
    this.refresh();
  }

  protected override onAfterAttach(): void {
    this.refresh();
  }

  protected override onActiveCellChanged(): void {
    this.refresh();
  }

  protected override onActiveCellMetadataChanged(): void {
    this.refresh();
  }

  private refresh(): void {
    const cell = this.notebookTools.activeCell;
    const panel = this.notebookTools.activeNotebookPanel;
    if (!cell || !panel || cell.model.type !== 'code') {
      this.summary.textContent = 'Select a code cell to see its place in the pipeline.';
      return;
    }
    const widgets = panel.content.widgets;
    const index = widgets.indexOf(cell);
    const info = cellSteps(widgets.map((w) => ({ type: w.model.type, tags: cellTagsOf(w.model) })))[index];
    const { fields } = readTagFields(cellTagsOf(cell.model));
    const resources = (['gpus', 'cpus', 'mem', 'time'] as const).filter((key) => fields[key]).map((key) => `${key} ${fields[key]}`);
    const lines = [
      info?.role ? `Role: ${info.role}` : info?.step ? `Step: ${info.step}${info.starts ? '' : ' (continued from above)'}` : 'Not in a step',
      ...(fields.after.length ? [`Runs after: ${fields.after.join(', ')}`] : []),
      ...(resources.length ? [`Resources: ${resources.join(', ')}`] : []),
    ];
    this.summary.replaceChildren(...lines.map((line) => Object.assign(document.createElement('div'), { textContent: line })));
  }
}
