/**
 * All tags of one code cell, checked against each other: a cell belongs to
 * at most one step and has at most one role, and step-only tags (resources,
 * `after:`, labels) make no sense on a role cell.
 */

import { FerryError } from '../errors.js';
import type { Resources } from '../spec.js';
import { parseTag, type CellRole } from './tag.js';

/** The roles that take a cell out of the steps; `skip` is separate because it overrides everything. */
export type NonStepRole = 'prelude' | 'parameters' | 'metrics';

export interface CellTags {
  /** `skip`: the cell never runs, whatever its other tags say. */
  skip: boolean;
  role?: NonStepRole;
  /** The tag that gave the role, as written (for messages). */
  roleTag?: string;
  step?: string;
  after: string[];
  resources: Resources;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const NON_STEP_ROLE: Record<Exclude<CellRole, 'skip'>, NonStepRole> = {
  imports: 'prelude',
  functions: 'prelude',
  parameters: 'parameters',
  metrics: 'metrics',
};

export function readCellTags(tags: readonly string[], where: { file?: string; cell: number }): CellTags {
  const result: CellTags = { skip: false, after: [], resources: {}, labels: {}, annotations: {} };
  let stepTag: string | undefined;
  let firstStepOnlyTag: string | undefined;
  const resourceTags: Partial<Record<keyof Resources, string>> = {};
  const keyTags: Record<string, string> = {};

  tags.forEach((text, i) => {
    const location = { ...where, field: `cells[${where.cell}].metadata.tags[${i}]` };
    const fail = (message: string): never => {
      throw new FerryError('tag', `cell ${where.cell}: ${message}`, location);
    };
    const tag = parseTag(text, location);
    switch (tag.kind) {
      case 'ignored':
        return;
      case 'role': {
        if (tag.role === 'skip') {
          result.skip = true;
          return;
        }
        const role = NON_STEP_ROLE[tag.role];
        if (result.role && result.role !== role) fail(`conflicting tags \`${result.roleTag}\` and \`${text}\``);
        result.role ??= role;
        result.roleTag ??= text;
        return;
      }
      case 'step':
        if (result.step !== undefined && result.step !== tag.name) {
          fail(`a cell belongs to one step, but it has both \`${stepTag}\` and \`${text}\``);
        }
        result.step = tag.name;
        stepTag = text;
        break;
      case 'after':
        if (!result.after.includes(tag.name)) result.after.push(tag.name);
        break;
      case 'resource': {
        const previous = result.resources[tag.resource];
        if (previous !== undefined && previous !== tag.value) {
          fail(`conflicting tags \`${resourceTags[tag.resource]}\` and \`${text}\``);
        }
        result.resources[tag.resource] = tag.value;
        resourceTags[tag.resource] = text;
        break;
      }
      case 'label':
      case 'annotation': {
        const map = tag.kind === 'label' ? result.labels : result.annotations;
        const previous = map[tag.key];
        if (previous !== undefined && previous !== tag.value) {
          fail(`conflicting tags \`${keyTags[`${tag.kind}:${tag.key}`]}\` and \`${text}\``);
        }
        map[tag.key] = tag.value;
        keyTags[`${tag.kind}:${tag.key}`] = text;
        break;
      }
    }
    firstStepOnlyTag ??= text;
  });

  if (!result.skip && result.role && firstStepOnlyTag !== undefined) {
    throw new FerryError(
      'tag',
      `cell ${where.cell}: \`${firstStepOnlyTag}\` applies to steps, but this is a \`${result.roleTag}\` cell`,
      { ...where, field: `cells[${where.cell}].metadata.tags` },
    );
  }
  return result;
}
