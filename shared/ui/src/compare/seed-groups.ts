/**
 * Runs that differ only in their random seed are one experiment repeated:
 * grouped, they are drawn as one mean line with a band from the lowest to the
 * highest value at each x. Pure: no DOM.
 */
import type { ComparedRun } from '@ferry/core';
import { canonical, runLabel } from './runs-table.js';

/** Parameters that only seed a random generator. */
export const SEED_PARAMETERS: readonly string[] = ['seed', 'random_seed', 'random_state'];

export interface SeedGroup {
  /** The runs' parameters other than seeds, as one string. */
  key: string;
  /** In the order of the comparison; the first gives the group its colour. */
  runs: ComparedRun[];
}

/** Groups of runs with the same parameters but seeds, in the order their first runs come. */
export function seedGroups(runs: readonly ComparedRun[]): SeedGroup[] {
  const groups = new Map<string, SeedGroup>();
  for (const run of runs) {
    const unseeded = Object.fromEntries(Object.entries(run.parameters).filter(([name]) => !SEED_PARAMETERS.includes(name)));
    const key = canonical(unseeded);
    const group = groups.get(key) ?? { key, runs: [] };
    group.runs.push(run);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** A group named by the parameters (seeds aside) that tell it from the other groups, and its size. */
export function groupLabel(group: SeedGroup, differing: readonly string[]): string {
  const named = differing.filter((name) => !SEED_PARAMETERS.includes(name));
  const size = `${group.runs.length} run${group.runs.length === 1 ? '' : 's'}`;
  return named.length ? `${runLabel(group.runs[0]!, named)} · ${size}` : size;
}

export interface Spread {
  mean: Array<number | null>;
  min: Array<number | null>;
  max: Array<number | null>;
}

/** At each x, the mean, lowest and highest of the values the lines have there (a gap where none has one). */
export function spread(lines: ReadonlyArray<ReadonlyArray<number | null>>): Spread {
  const length = lines[0]?.length ?? 0;
  const result: Spread = { mean: [], min: [], max: [] };
  for (let i = 0; i < length; i++) {
    const values = lines.map((line) => line[i]).filter((v): v is number => v !== null && v !== undefined);
    result.mean.push(values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : null);
    result.min.push(values.length ? Math.min(...values) : null);
    result.max.push(values.length ? Math.max(...values) : null);
  }
  return result;
}
