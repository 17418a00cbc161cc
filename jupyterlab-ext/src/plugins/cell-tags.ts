/**
 * The cell tag editor (cell toolbar, cell context menu, palette): role, step,
 * dependencies and resources of the active cell, written to `metadata.tags`.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { INotebookTools, INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { tagIcon } from '@jupyterlab/ui-components';
import { CommandIDs } from '../commands.js';
import { cellTagsOf, setCellTags } from '../notebook-tags.js';
import { notebookDialect, readTagFields, writeTagFields, type TagDialect } from '../models/cell-tag-fields.js';
import { cellSteps } from '../models/cell-steps.js';
import { PipelineTagsTool } from '../widgets/tags-tool.js';
import { TagForm } from '../widgets/tag-form.js';

export const cellTagsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@ferry/jupyterlab:cell-tags',
  description: 'Edit a cell’s Ferry tags: step, dependencies, role, resources.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, ISettingRegistry, INotebookTools],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    notebookTools: INotebookTools | null,
  ) => {
    let dialectSetting: TagDialect | 'auto' = 'auto';
    if (settingRegistry) {
      void settingRegistry.load(cellTagsPlugin.id).then((settings) => {
        const apply = () => (dialectSetting = settings.get('tagDialect').composite as TagDialect | 'auto');
        apply();
        settings.changed.connect(apply);
      });
    }

    app.commands.addCommand(CommandIDs.editCellTags, {
      label: 'Edit Pipeline Tags…',
      caption: 'Ferry: set this cell’s step, dependencies, role and resources',
      icon: tagIcon,
      isEnabled: () => notebooks.activeCell?.model.type === 'code',
      execute: async () => {
        const panel = notebooks.currentWidget;
        const cell = notebooks.activeCell;
        if (!panel || !cell || cell.model.type !== 'code') return;
        const allTags = panel.content.widgets.map((widget) => cellTagsOf(widget.model));
        const dialect = dialectSetting === 'auto' ? notebookDialect(allTags) : dialectSetting;
        const knownSteps = [...new Set(cellSteps(panel.content.widgets.map((w, i) => ({ type: w.model.type, tags: allTags[i]! }))).flatMap((info) => (info.starts && info.step ? [info.step] : [])))];
        const { fields, others } = readTagFields(cellTagsOf(cell.model));
        let value = fields;
        let problem: string | undefined;
        for (;;) {
          const result = await showDialog({
            title: 'Pipeline tags of this cell',
            body: new TagForm({ fields: value, knownSteps, ...(problem ? { problem } : {}) }),
            buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Save tags' })],
          });
          if (!result.button.accept || !result.value) return;
          value = result.value;
          try {
            setCellTags(cell.model, writeTagFields(value, others, dialect));
            return;
          } catch (error) {
            problem = (error as Error).message;
          }
        }
      },
    });
    notebooks.activeCellChanged.connect(() => app.commands.notifyCommandChanged(CommandIDs.editCellTags));
    app.contextMenu.addItem({ command: CommandIDs.editCellTags, selector: '.jp-Notebook .jp-CodeCell', rank: 12 });
    palette?.addItem({ command: CommandIDs.editCellTags, category: 'Ferry' });
    // The same, in the property inspector's own section.
    // (addItem, not addSection's own `tool`: only addItem connects the tool to the active cell.)
    notebookTools?.addSection({ sectionName: 'ferry', label: 'Pipeline (Ferry)' });
    notebookTools?.addItem({ section: 'ferry', tool: new PipelineTagsTool(app.commands) });
  },
};
