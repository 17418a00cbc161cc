/**
 * From cell tags to the pipeline's shape: which cells are the prelude, the
 * parameters and the metrics list, and which cells make up each step. No
 * Python is looked at here.
 */

import { FerryError } from '../errors.js';
import type { Resources } from '../spec.js';
import type { Notebook } from '../notebook/notebook.js';
import { readCellTags, type CellTags } from '../tags/cell-tags.js';
import { stepNameKey } from '../tags/step-name.js';

/** The step a notebook without step tags becomes (the Papermill case). */
export const SINGLE_STEP_NAME = 'main';

export interface StepDraft {
  name: string;
  /** Indices of the step's cells, in notebook order (non-contiguous cells join, as in Kale). */
  cells: number[];
  /** `after:`/`prev:` tags of any of the step's cells, each with the cell that carries it. */
  after: { name: string; cell: number }[];
  resources: Resources;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface NotebookLayout {
  /** `imports` and `functions` cells, in notebook order. */
  prelude: number[];
  parametersCell?: number;
  metricsCells: number[];
  /** In notebook order of each step's first cell. */
  steps: StepDraft[];
}

export function layOutNotebook(notebook: Notebook, file: string): NotebookLayout {
  const layout: NotebookLayout = { prelude: [], metricsCells: [], steps: [] };
  const stepCells: { cell: number; tags: CellTags }[] = [];

  for (const cell of notebook.cells) {
    if (cell.cellType !== 'code') continue; // markdown and raw cells never run
    const tags = readCellTags(cell.tags, { file, cell: cell.index });
    if (tags.skip) continue;
    switch (tags.role) {
      case 'prelude':
        layout.prelude.push(cell.index);
        break;
      case 'metrics':
        layout.metricsCells.push(cell.index);
        break;
      case 'parameters':
        if (layout.parametersCell !== undefined) {
          throw new FerryError(
            'tag',
            `only one parameters cell is allowed, but cells ${layout.parametersCell} and ${cell.index} are both tagged as parameters`,
            { file, cell: cell.index, field: `cells[${cell.index}].metadata.tags` },
          );
        }
        layout.parametersCell = cell.index;
        break;
      default:
        stepCells.push({ cell: cell.index, tags });
    }
  }

  const hasStepTags = stepCells.some(({ tags }) => tags.step !== undefined);
  const steps = new StepCollector(file);
  for (const { cell, tags } of stepCells) {
    const name = hasStepTags ? tags.step : SINGLE_STEP_NAME;
    steps.add(cell, tags, name);
  }
  layout.steps = steps.steps.length ? steps.steps : [emptyStep(SINGLE_STEP_NAME)];
  return layout;
}

function emptyStep(name: string): StepDraft {
  return { name, cells: [], after: [], resources: {}, labels: {}, annotations: {} };
}

class StepCollector {
  readonly steps: StepDraft[] = [];
  private current: StepDraft | undefined;
  private readonly byKey = new Map<string, StepDraft>();
  /** Which cell set each resource, label and annotation, for conflict messages. */
  private readonly setIn = new Map<string, number>();

  constructor(private readonly file: string) {}

  /** `name` undefined: an untagged cell, which continues the step above. */
  add(cell: number, tags: CellTags, name: string | undefined): void {
    if (name !== undefined) this.current = this.stepNamed(name, cell);
    const step = this.current;
    if (!step) {
      throw new FerryError(
        'tag',
        `cell ${cell} comes before the first step and has no tag; tag it \`imports\`, \`functions\`, \`step:NAME\` or \`skip\``,
        { file: this.file, cell, field: `cells[${cell}].metadata.tags` },
      );
    }
    step.cells.push(cell);
    for (const after of tags.after) step.after.push({ name: after, cell });
    for (const [resource, value] of Object.entries(tags.resources) as [keyof Resources, number][]) {
      this.merge(step, step.resources as Record<string, number>, resource, value, cell, resource);
    }
    for (const [key, value] of Object.entries(tags.labels)) this.merge(step, step.labels, key, value, cell, `label ${key}`);
    for (const [key, value] of Object.entries(tags.annotations)) {
      this.merge(step, step.annotations, key, value, cell, `annotation ${key}`);
    }
  }

  private stepNamed(name: string, cell: number): StepDraft {
    const key = stepNameKey(name);
    const existing = this.byKey.get(key);
    if (existing && existing.name !== name) {
      throw new FerryError(
        'pipeline',
        `duplicate step name: \`${name}\` (cell ${cell}) and \`${existing.name}\` (cell ${existing.cells[0]}) differ only in case or \`-\`/\`_\`; targets would confuse them`,
        { file: this.file, cell, step: name },
      );
    }
    if (existing) return existing;
    const step = emptyStep(name);
    this.byKey.set(key, step);
    this.steps.push(step);
    return step;
  }

  private merge<T extends string | number>(
    step: StepDraft,
    target: Record<string, T>,
    key: string,
    value: T,
    cell: number,
    what: string,
  ): void {
    const previous = target[key];
    const where = `${step.name}\u0000${what}`;
    if (previous !== undefined && previous !== value) {
      throw new FerryError(
        'tag',
        `step \`${step.name}\` has conflicting ${what}: ${previous} (cell ${this.setIn.get(where)}) and ${value} (cell ${cell})`,
        { file: this.file, cell, step: step.name, field: `cells[${cell}].metadata.tags` },
      );
    }
    target[key] = value;
    if (!this.setIn.has(where)) this.setIn.set(where, cell);
  }
}
