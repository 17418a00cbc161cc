/**
 * Editing a cell's `metadata.tags` the way Kale and Papermill expect them,
 * and describing them for the cell status bar. Pure: the VS Code glue turns
 * the result into a NotebookEdit.
 */
import { FerryError, isValidStepName, parseTag, readCellTags, STEP_NAME_PATTERN, type CellRole } from '@ferry/core';

/** What the "Set pipeline step…" action can make of a cell. */
export type CellPurpose = 'step' | 'parameters' | 'imports' | 'functions' | 'pipeline-metrics' | 'skip' | 'none';

export interface CellAssignment {
  purpose: CellPurpose;
  /** The step the cell starts or continues; only for `step`. */
  step?: string;
  /** Steps that must succeed first; only for `step`. */
  after?: string[];
  /** Resource tags as written, e.g. `gpus:1`, `mem:32G`; only for `step`. */
  resources?: string[];
}

/** Ferry's own tag names, or Kale's (`block:`, `prev:`, `pipeline-parameters`) for notebooks already written for Kale. */
export type TagDialect = 'ferry' | 'kale';

const KALE_ONLY = /^(block:|prev:|pipeline-parameters$|limit:)/;

/** Kale notebooks keep Kale's spelling, so they still work in Kale. */
export function notebookDialect(cellsTags: readonly (readonly string[])[]): TagDialect {
  return cellsTags.some((tags) => tags.some((tag) => KALE_ONLY.test(tag))) ? 'kale' : 'ferry';
}

/** Tags whose meaning this action owns; any other tag (labels, `hide-input`, ...) is kept as it is. */
function ownedBy(tag: string): boolean {
  return /^(step|block|after|prev|gpus|cpus|mem|time|limit):/.test(tag) ||
    ['parameters', 'pipeline-parameters', 'imports', 'functions', 'pipeline-metrics', 'skip'].includes(tag);
}

/**
 * The cell's new tags: the assignment in the notebook's dialect, followed by
 * the cell's other tags. Throws a FerryError naming the bad part.
 */
export function applyAssignment(current: readonly string[], assignment: CellAssignment, dialect: TagDialect): string[] {
  const kept = current.filter((tag) => !ownedBy(tag));
  const own: string[] = [];
  switch (assignment.purpose) {
    case 'none':
      break;
    case 'step': {
      const step = assignment.step ?? '';
      checkStepName(step);
      own.push(`${dialect === 'kale' ? 'block' : 'step'}:${step}`);
      for (const dependency of assignment.after ?? []) {
        checkStepName(dependency);
        if (dependency === step) throw new FerryError('tag', `step \`${step}\` cannot run after itself`);
        own.push(`${dialect === 'kale' ? 'prev' : 'after'}:${dependency}`);
      }
      for (const resource of assignment.resources ?? []) {
        const parsed = parseTag(resource);
        if (parsed.kind !== 'resource') {
          throw new FerryError('tag', `\`${resource}\` is not a resource; use gpus:N, cpus:N, mem:SIZE or time:DURATION`);
        }
        own.push(resource);
      }
      break;
    }
    case 'parameters':
      own.push(dialect === 'kale' ? 'pipeline-parameters' : 'parameters');
      break;
    default:
      own.push(assignment.purpose);
  }
  const tags = [...own, ...kept];
  readCellTags(tags, { cell: 0 }); // the same checks the compiler makes: conflicts fail here, not at run time
  return tags;
}

/** Splits what a user typed in the resources box (`gpus:1 mem:32G, time:2h`) into tags, each checked. */
export function parseResourceText(text: string): string[] {
  const tags = text.split(/[\s,]+/).filter(Boolean);
  for (const tag of tags) {
    const parsed = parseTag(tag);
    if (parsed.kind !== 'resource') {
      throw new FerryError('tag', `\`${tag}\` is not a resource; use gpus:N, cpus:N, mem:SIZE or time:DURATION`);
    }
  }
  return tags;
}

function checkStepName(name: string): void {
  if (!isValidStepName(name)) {
    throw new FerryError(
      'tag',
      name === ''
        ? 'a step needs a name'
        : `\`${name}\` is not a valid step name: letters, digits, \`_\` and \`-\`, starting with a letter or \`_\`, at most 63 characters (${STEP_NAME_PATTERN})`,
    );
  }
}

/** The assignment a cell's tags express today, to start the editor from. */
export function currentAssignment(tags: readonly string[]): CellAssignment {
  const assignment: CellAssignment = { purpose: 'none', after: [], resources: [] };
  for (const tag of tags) {
    let parsed;
    try {
      parsed = parseTag(tag);
    } catch {
      continue; // unknown tags are kept, not interpreted
    }
    switch (parsed.kind) {
      case 'step':
        assignment.purpose = 'step';
        assignment.step = parsed.name;
        break;
      case 'after':
        assignment.after!.push(parsed.name);
        break;
      case 'resource':
        assignment.resources!.push(tag);
        break;
      case 'role':
        if (assignment.purpose === 'none') assignment.purpose = purposeOf(parsed.role);
        break;
      default:
        break;
    }
  }
  return assignment;
}

function purposeOf(role: CellRole): CellPurpose {
  return role === 'metrics' ? 'pipeline-metrics' : role;
}

/** Every step name tagged anywhere in the notebook, in notebook order. */
export function stepNames(cellsTags: readonly (readonly string[])[]): string[] {
  const names: string[] = [];
  for (const tags of cellsTags) {
    const step = currentAssignment(tags).step;
    if (step !== undefined && !names.includes(step)) names.push(step);
  }
  return names;
}

export interface CellTagSummary {
  /** e.g. `step train · after prepare · cpus:2 mem:2G`, `parameters`. */
  text: string;
  /** The tag problem, when the tags do not compile. */
  problem?: string;
}

/** One line for the cell status bar, or undefined for a cell with no Ferry tags. */
export function summarizeCellTags(tags: readonly string[]): CellTagSummary | undefined {
  if (!tags.some(ownedBy) && !tags.some((tag) => /^(label|annotation):/.test(tag))) {
    const unknown = tags.find((tag) => {
      try {
        parseTag(tag);
        return false;
      } catch {
        return true;
      }
    });
    return unknown === undefined ? undefined : { text: `tag ${unknown}`, problem: problemOf(tags) };
  }
  const assignment = currentAssignment(tags);
  const parts: string[] = [];
  if (assignment.purpose === 'step') parts.push(`step ${assignment.step}`);
  else if (assignment.purpose !== 'none') parts.push(assignment.purpose);
  if (assignment.purpose !== 'skip' && tags.includes('skip')) parts.push('skip');
  if (assignment.after!.length) parts.push(`after ${assignment.after!.join(', ')}`);
  if (assignment.resources!.length) parts.push(assignment.resources!.join(' '));
  const summary: CellTagSummary = { text: parts.join(' · ') || tags.join(' ') };
  const problem = problemOf(tags);
  if (problem) summary.problem = problem;
  return summary;
}

function problemOf(tags: readonly string[]): string | undefined {
  try {
    readCellTags(tags, { cell: 0 });
    return undefined;
  } catch (error) {
    // The message starts with "cell 0: " from the placeholder index; the status bar sits on the cell already.
    return (error as Error).message.replace(/^cell 0: /, '');
  }
}
