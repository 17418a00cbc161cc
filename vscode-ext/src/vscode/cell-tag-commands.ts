/**
 * "Set pipeline step…" on a cell: what the cell is (a step, the parameters,
 * imports, functions, pipeline metrics, skipped), which step, after which
 * steps, with which resources. The answer becomes the cell's `metadata.tags`.
 */
import * as vscode from 'vscode';
import {
  applyAssignment,
  currentAssignment,
  notebookDialect,
  parseResourceText,
  stepNames,
  type CellPurpose,
} from '../model/cell-tags.js';
import { cellTags, setTagsEdit, targetCell } from './notebook-cells.js';

interface PurposeItem extends vscode.QuickPickItem {
  purpose: CellPurpose;
}

const PURPOSES: PurposeItem[] = [
  { purpose: 'step', label: '$(layers) Step', description: 'runs as a pipeline step (starts or continues one)' },
  { purpose: 'parameters', label: '$(symbol-parameter) Parameters', description: 'the run parameters (Papermill/Kale)' },
  { purpose: 'imports', label: '$(package) Imports', description: 'prepended to every step' },
  { purpose: 'functions', label: '$(symbol-function) Functions', description: 'prepended to every step' },
  { purpose: 'pipeline-metrics', label: '$(graph-line) Pipeline metrics', description: 'variables recorded as final metrics' },
  { purpose: 'skip', label: '$(debug-step-over) Skip', description: 'never runs' },
  { purpose: 'none', label: '$(clear-all) No Ferry tags', description: 'continues the step of the cell above' },
];

const NEW_STEP = '$(add) New step…';

export function registerCellTagCommands(): vscode.Disposable {
  return vscode.commands.registerCommand('ferry.setPipelineStep', async (argument?: unknown) => {
    const cell = targetCell(argument);
    if (!cell || cell.kind !== vscode.NotebookCellKind.Code) {
      void vscode.window.showInformationMessage('Select a code cell of a notebook to set its pipeline step.');
      return;
    }
    const tags = cellTags(cell);
    const allTags = cell.notebook.getCells().map(cellTags);
    const current = currentAssignment(tags);

    const purpose = await vscode.window.showQuickPick(
      PURPOSES.map((item) => ({ ...item, picked: item.purpose === current.purpose })),
      { title: `Cell ${cell.index + 1}: pipeline role`, placeHolder: `now: ${current.purpose === 'none' ? 'no Ferry tags' : current.purpose}` },
    );
    if (!purpose) return;
    const assignment = { ...current, purpose: purpose.purpose };

    if (purpose.purpose === 'step') {
      const steps = stepNames(allTags);
      const step = await pickStep(steps, current.step);
      if (step === undefined) return;
      assignment.step = step;
      const others = steps.filter((name) => name !== step);
      if (others.length) {
        const after = await vscode.window.showQuickPick(
          others.map((name) => ({ label: name, picked: current.after?.includes(name) ?? false })),
          { title: `Step ${step}: runs after (none: dependencies come from the variables it uses)`, canPickMany: true },
        );
        if (!after) return;
        assignment.after = after.map((item) => item.label);
      } else {
        assignment.after = [];
      }
      const resources = await vscode.window.showInputBox({
        title: `Step ${step}: resources`,
        prompt: 'e.g. gpus:1 cpus:8 mem:32G time:2h — empty for the target defaults',
        value: (current.resources ?? []).join(' '),
        validateInput: (text) => problem(() => parseResourceText(text)),
      });
      if (resources === undefined) return;
      assignment.resources = parseResourceText(resources);
    }

    let next: string[];
    try {
      next = applyAssignment(tags, assignment, notebookDialect(allTags));
    } catch (error) {
      void vscode.window.showErrorMessage(`Ferry: ${(error as Error).message}`);
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.set(cell.notebook.uri, [setTagsEdit(cell, next)]);
    await vscode.workspace.applyEdit(edit);
  });
}

async function pickStep(steps: readonly string[], current: string | undefined): Promise<string | undefined> {
  const items = [...steps.map((name) => ({ label: name, description: name === current ? 'current' : undefined })), { label: NEW_STEP }];
  const picked = await vscode.window.showQuickPick(items, { title: 'Step', placeHolder: 'an existing step, or a new one' });
  if (!picked) return undefined;
  if (picked.label !== NEW_STEP) return picked.label;
  return vscode.window.showInputBox({
    title: 'New step name',
    prompt: 'letters, digits, _ and -, starting with a letter or _',
    validateInput: (name) => problem(() => applyAssignment([], { purpose: 'step', step: name }, 'ferry')),
  });
}

function problem(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
