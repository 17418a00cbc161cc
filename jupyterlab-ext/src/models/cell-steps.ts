/**
 * Which step each cell belongs to, as the compiler sees it (a `step:`/`block:`
 * tag starts a step; untagged code cells continue the step above; role cells
 * belong to none), for the badges and colours on the cells. Lenient: a bad tag
 * shows nothing rather than failing, the compiler reports it on Run.
 */
import { parseTag } from '@ferry/core';

export interface CellStepInfo {
  /** The step, or undefined for markdown, role and skipped cells and cells before any step. */
  step?: string;
  /** A role shown instead of a step, e.g. `parameters`. */
  role?: string;
  /** True on the cell whose tag names the step (the badge goes there). */
  starts: boolean;
}

export interface CellLike {
  type: string;
  tags: readonly string[];
}

export function cellSteps(cells: readonly CellLike[]): CellStepInfo[] {
  let current: string | undefined;
  return cells.map((cell) => {
    if (cell.type !== 'code') return { starts: false };
    let step: string | undefined;
    let role: string | undefined;
    for (const text of cell.tags) {
      try {
        const tag = parseTag(text);
        if (tag.kind === 'step') step = tag.name;
        else if (tag.kind === 'role') role = tag.role === 'metrics' ? 'pipeline-metrics' : tag.role;
      } catch {
        // shown by the compiler on Run, not here
      }
    }
    if (role) return { role, starts: false };
    if (step) {
      current = step;
      return { step, starts: true };
    }
    return current === undefined ? { starts: false } : { step: current, starts: false };
  });
}

/** A stable hue for a step name, so a step keeps its colour across notebooks. */
export function stepHue(step: string): number {
  let hash = 0;
  for (const char of step) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return hash % 360;
}
