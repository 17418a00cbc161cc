/**
 * A cell's Ferry tags as form fields, and back. Tags this form does not edit
 * (labels, annotations, display tags, anything else) are kept as they are.
 * Written in the dialect the notebook already speaks: Kale's (`block:`,
 * `prev:`, `pipeline-parameters`, `limit:`) when it uses Kale tags, else
 * Ferry's (`step:`, `after:`, Papermill's `parameters`, `gpus:`...), so the
 * notebook keeps working in the tool it was written for.
 */
import { FerryError, parseTag, type CellTag } from '@ferry/core';

export type TagDialect = 'ferry' | 'kale';

/** What a cell is: part of a step, or one of the roles that take it out of the steps. */
export type CellRoleChoice = 'step' | 'parameters' | 'imports' | 'functions' | 'pipeline-metrics' | 'skip';
export const CELL_ROLES: readonly CellRoleChoice[] = ['step', 'parameters', 'imports', 'functions', 'pipeline-metrics', 'skip'];

export interface CellTagFields {
  role: CellRoleChoice;
  /** Empty: the cell continues the step of the cell above. */
  step: string;
  after: string[];
  /** As typed, e.g. `1`, `8`, `32G`, `2h`; empty for none. */
  gpus: string;
  cpus: string;
  mem: string;
  time: string;
}

export interface ReadTags {
  fields: CellTagFields;
  /** Tags the form leaves alone, in their order. */
  others: string[];
}

const KALE_ONLY = /^(block:|prev:|pipeline-parameters$)/;

/** Kale's dialect when any cell uses a tag only Kale writes. */
export function notebookDialect(cellTags: ReadonlyArray<readonly string[]>): TagDialect {
  return cellTags.some((tags) => tags.some((tag) => KALE_ONLY.test(tag))) ? 'kale' : 'ferry';
}

export function emptyFields(): CellTagFields {
  return { role: 'step', step: '', after: [], gpus: '', cpus: '', mem: '', time: '' };
}

export function readTagFields(tags: readonly string[]): ReadTags {
  const fields = emptyFields();
  const others: string[] = [];
  for (const text of tags) {
    let tag: CellTag;
    try {
      tag = parseTag(text);
    } catch {
      others.push(text); // not understood: left for the compiler to report, never dropped
      continue;
    }
    switch (tag.kind) {
      case 'step':
        fields.step = tag.name;
        break;
      case 'after':
        if (!fields.after.includes(tag.name)) fields.after.push(tag.name);
        break;
      case 'role':
        fields.role = tag.role === 'metrics' ? 'pipeline-metrics' : tag.role;
        break;
      case 'resource':
        fields[RESOURCE_FIELD[tag.resource]] = resourceText(text);
        break;
      default:
        others.push(text);
    }
  }
  return { fields, others };
}

const RESOURCE_FIELD = { gpus: 'gpus', cpus: 'cpus', memoryMiB: 'mem', timeMinutes: 'time' } as const;

/** The value part of a resource tag as the user wrote it (`limit:memory:8Gi` → `8Gi`). */
function resourceText(tag: string): string {
  return tag.slice(tag.lastIndexOf(':') + 1);
}

/**
 * The tags for these fields, checked with the compiler's own grammar; a bad
 * value is a FerryError naming the field. `others` are appended unchanged.
 */
export function writeTagFields(fields: CellTagFields, others: readonly string[], dialect: TagDialect): string[] {
  const kale = dialect === 'kale';
  const tags: string[] = [];
  const add = (field: keyof CellTagFields, tag: string): void => {
    try {
      parseTag(tag);
    } catch (error) {
      throw new FerryError('tag', error instanceof Error ? error.message : String(error), { field });
    }
    if (!tags.includes(tag)) tags.push(tag);
  };
  const step = fields.step.trim();
  switch (fields.role) {
    case 'step':
      if (step) add('step', `${kale ? 'block' : 'step'}:${step}`);
      for (const name of fields.after.map((a) => a.trim()).filter(Boolean)) add('after', `${kale ? 'prev' : 'after'}:${name}`);
      if (fields.gpus.trim()) add('gpus', kale ? `limit:nvidia.com/gpu:${fields.gpus.trim()}` : `gpus:${fields.gpus.trim()}`);
      if (fields.cpus.trim()) add('cpus', kale ? `limit:cpu:${fields.cpus.trim()}` : `cpus:${fields.cpus.trim()}`);
      if (fields.mem.trim()) add('mem', kale ? `limit:memory:${fields.mem.trim()}` : `mem:${fields.mem.trim()}`);
      if (fields.time.trim()) add('time', `time:${fields.time.trim()}`);
      break;
    case 'parameters':
      add('role', kale ? 'pipeline-parameters' : 'parameters');
      break;
    default:
      add('role', fields.role);
  }
  for (const tag of others) if (!tags.includes(tag)) tags.push(tag);
  return tags;
}
